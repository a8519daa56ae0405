#!/usr/bin/python3
"""ONNX fixtures for the arch module's ONNX reader (tests/unit/test_arch_onnx.c).

Exports each torchvision zoo model at 224 px with random weights and keeps only
the graph and the initializers' dims in tests/data/arch/onnx/NAME.onnx: every
weight tensor larger than 64 bytes is moved to external data that is then
thrown away (the reader must never need the weight bytes; the small int64
shape constants stay inside). Also writes expected.csv (params from the torch
model, conv/linear MACs from forward hooks, the same conventions as
include/joulecast/arch.h) and the small hand-built models the error tests
use: an unsupported operator, a foreign operator domain, weights stored inline.
(The damaged files, truncated or with flipped bytes, are made by the C test.)

    apt-get install -y python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 scripts/gen_onnx_fixtures.py            # fixtures
    /usr/bin/python3 scripts/gen_onnx_fixtures.py --bench    # + /tmp/resnet50.onnx with weights

Exported in TrainingMode.TRAINING so that torch keeps BatchNormalization apart
from the convolutions (eval mode folds it into the conv weights, and the
BatchNorm scale/shift would vanish from the parameter count), and so that it
does not merge initializers of equal value into one (fresh LayerNorm weights
are all ones: an eval-mode export of BERT loses 24 of its 25 LayerNorms).
BERT-base is built here from plain modules with HuggingFace's shapes
(Debian 12 has no python3-transformers), sequence 128.
"""
import csv
import os
import shutil
import sys
import tempfile

import onnx
from onnx import helper, TensorProto
import torch
import torch.nn as nn
import torchvision.models as tvm

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "arch", "onnx")

MODELS = [
    ("resnet18", tvm.resnet18, {}),
    ("resnet34", tvm.resnet34, {}),
    ("resnet50", tvm.resnet50, {}),
    ("resnet101", tvm.resnet101, {}),
    ("resnet152", tvm.resnet152, {}),
    ("vgg11", tvm.vgg11, {}),
    ("vgg13", tvm.vgg13, {}),
    ("vgg16", tvm.vgg16, {}),
    ("vgg19", tvm.vgg19, {}),
    ("alexnet", tvm.alexnet, {}),
    ("mobilenet_v2", tvm.mobilenet_v2, {}),
    ("googlenet", tvm.googlenet, {"aux_logits": False, "init_weights": False}),
    ("shufflenet_v2_x1_0", tvm.shufflenet_v2_x1_0, {}),
    ("vit_b_16", tvm.vit_b_16, {}),
    ("vit_l_16", tvm.vit_l_16, {}),
]


class Bert(nn.Module):
    """BERT-base as HuggingFace's BertModel (with the pooler) has it, built
    from plain modules (Debian 12 has no python3-transformers); token ids in."""

    def __init__(self, layers=12, hidden=768, heads=12, inter=3072, vocab=30522, max_pos=512):
        super().__init__()
        self.hidden, self.heads = hidden, heads
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.ln = nn.LayerNorm(hidden)
        self.layers = nn.ModuleList(nn.ModuleDict(dict(
            q=nn.Linear(hidden, hidden), k=nn.Linear(hidden, hidden), v=nn.Linear(hidden, hidden),
            o=nn.Linear(hidden, hidden), ln1=nn.LayerNorm(hidden), i=nn.Linear(hidden, inter),
            out=nn.Linear(inter, hidden), ln2=nn.LayerNorm(hidden))) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)
        self.attention_macs = 0

    def forward(self, ids):
        b, t = ids.shape
        h, d = self.hidden, self.hidden // self.heads
        x = self.ln(self.word(ids) + self.pos(torch.arange(t)) + self.token_type(torch.zeros_like(ids)))
        self.attention_macs = 0
        for L in self.layers:
            q = L["q"](x).view(b, t, self.heads, d).transpose(1, 2)
            k = L["k"](x).view(b, t, self.heads, d).transpose(1, 2)
            v = L["v"](x).view(b, t, self.heads, d).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, -1) @ v
            self.attention_macs += 2 * t * t * h  # Q K^T and A V, batch 1
            x = L["ln1"](x + L["o"](a.transpose(1, 2).reshape(b, t, h)))
            x = L["ln2"](x + L["out"](torch.nn.functional.gelu(L["i"](x))))
        return torch.tanh(self.pooler(x[:, 0]))


class Counter:
    """Forward hooks adding up conv and linear MACs (as gen_arch_reference.py)."""

    def __init__(self, model):
        self.conv = 0
        self.linear = 0
        self.attention = 0
        self.handles = []
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                self.handles.append(m.register_forward_hook(self.on_conv))
            elif isinstance(m, nn.MultiheadAttention):
                self.handles.append(m.register_forward_hook(self.on_mha))
            elif isinstance(m, nn.Linear) and type(m).__name__ != "NonDynamicallyQuantizableLinear":
                self.handles.append(m.register_forward_hook(self.on_linear))

    def on_conv(self, m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        self.conv += out.numel() * (m.in_channels // m.groups) * k

    def on_linear(self, m, inp, out):
        rows = inp[0].numel() // m.in_features
        self.linear += rows * m.in_features * m.out_features

    def on_mha(self, m, inp, out):
        # ViT passes query= as a keyword, which 1.13's hooks do not see: the
        # output (batch 1, tokens, hidden) has the same shape as the query.
        tokens = out[0].numel() // m.embed_dim
        self.linear += tokens * 4 * m.embed_dim * m.embed_dim
        self.attention += 2 * tokens * tokens * m.embed_dim

    def close(self):
        for h in self.handles:
            h.remove()


def export(model, path, x):
    model.train()
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["output"],
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      opset_version=14)


def strip_weights(src, dst):
    """Keep the graph; move every tensor > 64 bytes out to a file we delete."""
    m = onnx.load(src)
    tmp = tempfile.mkdtemp()
    try:
        onnx.save_model(m, os.path.join(tmp, "m.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="weights.bin", size_threshold=64)
        shutil.copyfile(os.path.join(tmp, "m.onnx"), dst)
    finally:
        shutil.rmtree(tmp)


def tiny(path, op, domain=""):
    """A three-node model whose middle op is `op` (unsupported when made up)."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    w = helper.make_tensor("w", TensorProto.FLOAT, [8, 4], [0.0] * 32)
    nodes = [helper.make_node("Relu", ["x"], ["a"]),
             helper.make_node(op, ["a"], ["b"], domain=domain),
             helper.make_node("MatMul", ["b", "w"], ["y"])]
    g = helper.make_graph(nodes, "tiny", [x], [y], [w])
    opsets = [helper.make_opsetid("", 14)]
    if domain:
        opsets.append(helper.make_opsetid(domain, 1))
    onnx.save(helper.make_model(g, opset_imports=opsets), path)


def inline_weights(path):
    """Weights stored inside the file (raw_data, a big Constant node too) and
    an int64 initializer used as a Reshape shape: the reader skips the weight
    bytes but must still read the shape values."""
    import numpy as np
    from onnx import numpy_helper
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 300])
    w = numpy_helper.from_array(np.ones((8, 300), np.float32), "w")
    shape = numpy_helper.from_array(np.array([1, 300], np.int64), "shape")
    bias = numpy_helper.from_array(np.ones((300,), np.float32), "bias_value")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]),
             helper.make_node("Reshape", ["h", "shape"], ["r"]),
             helper.make_node("Constant", [], ["c"], value=bias),
             helper.make_node("Add", ["r", "c"], ["y"])]
    g = helper.make_graph(nodes, "inline", [x], [y], [w, shape])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)]), path)


def main():
    bench = "--bench" in sys.argv
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    rows = []
    tmp = tempfile.mkdtemp()
    try:
        for name, build, kw in MODELS + [("bert_base", Bert, None)]:
            model = build(weights=None, **kw) if kw is not None else build()
            x = (torch.randint(0, 30522, (1, 128)) if name == "bert_base"
                 else torch.randn(1, 3, 224, 224))
            params = sum(p.numel() for p in model.parameters() if p.requires_grad)
            model.eval()
            c = Counter(model)
            with torch.no_grad():
                model(x)
            c.close()
            if name == "bert_base":
                c.attention = model.attention_macs
            full = os.path.join(tmp, name + ".onnx")
            export(model, full, x)
            strip_weights(full, os.path.join(OUT, name + ".onnx"))
            if bench and name == "resnet50":
                shutil.copyfile(full, "/tmp/resnet50.onnx")
            rows.append((name, params, c.conv, c.linear, c.attention))
            print(name, params, c.conv, c.linear, c.attention,
                  os.path.getsize(os.path.join(OUT, name + ".onnx")), "bytes")
    finally:
        shutil.rmtree(tmp)
    with open(os.path.join(OUT, "expected.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "params", "conv_macs", "linear_macs", "attention_macs"])
        w.writerows(rows)
    # Made-up operator, and one from a foreign domain.
    tiny(os.path.join(OUT, "unsupported_op.onnx"), "FrobnicateX")
    tiny(os.path.join(OUT, "custom_domain.onnx"), "Relu", domain="com.example")
    # A tiny valid model (for truncation tests in C, which cut it at many points).
    tiny(os.path.join(OUT, "tiny_relu.onnx"), "Relu")
    inline_weights(os.path.join(OUT, "inline_weights.onnx"))
    if bench:
        print("wrote /tmp/resnet50.onnx (with weights) for bench/bench_onnx")


if __name__ == "__main__":
    main()
