/* plot: line and step charts to SVG or PNG through cairo.
 * A chart is a set of series on shared x/y axes with a title, axis labels
 * (units included), ticks, grid, legend, and optional horizontal reference
 * lines (a GPU's TDP, say). The format follows the file extension. The file
 * is written atomically. */
#ifndef JOULECAST_PLOT_H
#define JOULECAST_PLOT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { JC_PLOT_LINE = 0, JC_PLOT_STEP = 1, JC_PLOT_POINTS = 2 } jc_plot_style;

typedef struct {
    const char *label;      /* legend text; NULL: not in the legend */
    const double *x, *y;    /* n points; NaN y breaks the line */
    size_t n;
    jc_plot_style style;
    unsigned rgb;           /* 0xRRGGBB; 0 with auto_color: from the palette */
    int auto_color;
    double width;           /* line width in px, 0: 1.5 */
    double alpha;           /* 0: 1.0 */
} jc_plot_series;

typedef struct {
    const char *label;
    double y;
    unsigned rgb;
    int dashed;
} jc_plot_hline;

typedef struct {
    const char *title;
    const char *xlabel, *ylabel;
    int width, height;      /* pixels (SVG points); 0: 1000 x 500 */
    double ymin, ymax;      /* both 0: automatic */
    int y_from_zero;        /* automatic y range starts at 0 */
    size_t nseries;
    const jc_plot_series *series;
    size_t nhlines;
    const jc_plot_hline *hlines;
} jc_plot;

/* Render to path; ".svg" or ".png" (case-insensitive) picks the format,
 * anything else is JC_ERR_INVALID. Returns 0 or a negative jc_status with
 * jc_last_error() set. */
int jc_plot_write(const jc_plot *plot, const char *path);

#ifdef __cplusplus
}
#endif
#endif
