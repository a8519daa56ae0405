#!/usr/bin/python3
"""Reference counts for the arch zoo, from torchvision itself.

Writes tests/data/arch/torchvision_reference.csv (model,image,classes,params,
conv_macs,linear_macs) for every zoo model torchvision 0.14 has, at 64, 224 and
512 px, and for BERT-base/large. tests/unit/test_arch.c checks joulecast's
layer walk against it: params exactly, conv and linear MACs within 1%.

Run with Debian's packages:  apt-get install -y python3-torch python3-torchvision
                             /usr/bin/python3 scripts/gen_arch_reference.py

How the MACs are counted (the same conventions as include/joulecast/arch.h):
- forward hooks on nn.Conv2d (output elements x in/groups x kernel area) and
  nn.Linear (rows x in x out, rows = every leading dimension), batch 1;
- nn.MultiheadAttention (ViT) calls its projections through the functional
  API (and torchvision calls it with keyword inputs, which hooks do not see): in_proj is a raw parameter and out_proj (NonDynamicallyQuantizableLinear)
  is never called as a module, so no Linear hook fires. Both are counted by
  hand from a hook on the encoder block around it: tokens x 4 x hidden^2;
- models are built as torchvision builds them, untrained (weights=None), with
  GoogLeNet's aux_logits=False and init_weights=False (a fresh googlenet()
  has aux_logits=True, whose two side heads only exist in training);
- ViT at other than 224 px is built with image_size=... (the position
  embedding grows to (image/16)^2 + 1 tokens);
- BERT comes from transformers' BertModel (with the pooler) when that is
  installed; Debian 12 has no python3-transformers, so otherwise its row is
  written from a hand-built module tree of the same shapes (nn.Embedding,
  nn.Linear, nn.LayerNorm as HuggingFace's BertModel defines them), whose
  parameter count is checked against the published 109,482,240 / 335,141,888.
"""
import csv
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm

IMAGES = (64, 224, 512)
CLASSES = 1000
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "arch",
                   "torchvision_reference.csv")

# joulecast name -> torchvision builder (keyword arguments for the plain build)
CNNS = [
    ("alexnet", tvm.alexnet, {}),
    ("vgg11", tvm.vgg11, {}),
    ("vgg13", tvm.vgg13, {}),
    ("vgg16", tvm.vgg16, {}),
    ("vgg19", tvm.vgg19, {}),
    ("resnet18", tvm.resnet18, {}),
    ("resnet34", tvm.resnet34, {}),
    ("resnet50", tvm.resnet50, {}),
    ("resnet101", tvm.resnet101, {}),
    ("resnet152", tvm.resnet152, {}),
    ("mobilenet_v2", tvm.mobilenet_v2, {}),
    ("googlenet", tvm.googlenet, {"aux_logits": False, "init_weights": False}),
    ("shufflenet_v2_x1_0", tvm.shufflenet_v2_x1_0, {}),
]
VITS = [("vit_b_16", tvm.vit_b_16), ("vit_l_16", tvm.vit_l_16)]


class Counter:
    """Forward hooks that add up conv and linear MACs."""

    def __init__(self, model):
        self.conv = 0
        self.linear = 0
        self.handles = []
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                self.handles.append(m.register_forward_hook(self.on_conv))
            elif isinstance(getattr(m, "self_attention", None), nn.MultiheadAttention):
                # torchvision's EncoderBlock: it passes its attention inputs as
                # keywords, which torch 1.13's hooks do not see, so hook the block
                self.handles.append(m.register_forward_hook(self.on_mha))
            elif isinstance(m, nn.Linear) and type(m).__name__ != "NonDynamicallyQuantizableLinear":
                self.handles.append(m.register_forward_hook(self.on_linear))

    def on_conv(self, m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        self.conv += out.numel() * (m.in_channels // m.groups) * k

    def on_linear(self, m, inp, out):
        rows = inp[0].numel() // m.in_features
        self.linear += rows * m.in_features * m.out_features

    def on_mha(self, block, inp, out):
        # inp[0] is the block's input, (batch, tokens, hidden): in_proj (3 h^2)
        # and out_proj (h^2) per token
        h = block.self_attention.embed_dim
        tokens = inp[0].numel() // h
        self.linear += tokens * 4 * h * h

    def close(self):
        for h in self.handles:
            h.remove()


def params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def measure(model, x):
    model.eval()
    c = Counter(model)
    with torch.no_grad():
        model(*x) if isinstance(x, tuple) else model(x)
    c.close()
    return c.conv, c.linear


def bert_model(layers, hidden, heads, inter, vocab=30522, max_pos=512):
    """BertModel + pooler: from transformers if present, else the same tree by hand."""
    try:
        from transformers import BertConfig, BertModel  # noqa: F401
        cfg = BertConfig(vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers,
                         num_attention_heads=heads, intermediate_size=inter,
                         max_position_embeddings=max_pos)
        return BertModel(cfg, add_pooling_layer=True), "transformers"
    except ImportError:
        pass

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v = (nn.Linear(hidden, hidden) for _ in range(3))
            self.o = nn.Linear(hidden, hidden)
            self.ln1 = nn.LayerNorm(hidden)
            self.i = nn.Linear(hidden, inter)
            self.out = nn.Linear(inter, hidden)
            self.ln2 = nn.LayerNorm(hidden)

        def forward(self, x):
            b, t, _ = x.shape
            d = hidden // heads
            q = self.q(x).view(b, t, heads, d).transpose(1, 2)
            k = self.k(x).view(b, t, heads, d).transpose(1, 2)
            v = self.v(x).view(b, t, heads, d).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, -1) @ v
            x = self.ln1(x + self.o(a.transpose(1, 2).reshape(b, t, hidden)))
            return self.ln2(x + self.out(torch.nn.functional.gelu(self.i(x))))

    class Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(vocab, hidden)
            self.pos = nn.Embedding(max_pos, hidden)
            self.token_type = nn.Embedding(2, hidden)
            self.ln = nn.LayerNorm(hidden)
            self.layers = nn.ModuleList(Layer() for _ in range(layers))
            self.pooler = nn.Linear(hidden, hidden)

        def forward(self, ids):
            t = ids.shape[1]
            x = self.ln(self.word(ids) + self.pos(torch.arange(t)) + self.token_type(torch.zeros_like(ids)))
            for layer in self.layers:
                x = layer(x)
            return torch.tanh(self.pooler(x[:, 0]))

    return Bert(), "hand-built"


def main():
    torch.set_grad_enabled(False)
    rows = []
    for name, build, kw in CNNS:
        for image in IMAGES:
            m = build(weights=None, num_classes=CLASSES, **kw)
            conv, lin = measure(m, torch.zeros(1, 3, image, image))
            rows.append((name, image, CLASSES, params(m), conv, lin))
            print(rows[-1], file=sys.stderr)
    for name, build in VITS:
        for image in IMAGES:
            if image % 16:
                continue
            m = build(weights=None, num_classes=CLASSES, image_size=image)
            conv, lin = measure(m, torch.zeros(1, 3, image, image))
            rows.append((name, image, CLASSES, params(m), conv, lin))
            print(rows[-1], file=sys.stderr)
    # BERT: image column holds the sequence length, classes 0 (no head: BertModel + pooler).
    published = {"bert_base": 109482240, "bert_large": 335141888}
    for name, cfg in (("bert_base", (12, 768, 12, 3072)), ("bert_large", (24, 1024, 16, 4096))):
        for seq in (128, 512):
            m, how = bert_model(*cfg)
            ids = torch.zeros(1, seq, dtype=torch.long)
            conv, lin = measure(m, ids)
            p = params(m)
            if p != published[name]:
                sys.exit(f"{name}: {how} model has {p} parameters, published {published[name]}")
            rows.append((name, seq, 0, p, conv, lin))
            print(rows[-1], how, file=sys.stderr)
    tmp = OUT + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("model", "image", "classes", "params", "conv_macs", "linear_macs"))
        w.writerows(rows)
    os.replace(tmp, OUT)
    print(f"wrote {len(rows)} rows to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
