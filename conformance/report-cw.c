/*
 * report-cw.c -- the HTML report's CloudWatch charts: per destination, the
 * metrics the KDA console drew (Records in, OkRecords, DeliveryFailedRecords,
 * Duration, MillisBehindLatest), one small bar chart each, one bar a
 * minute (or a longer period for a long run, as the console chose), as the
 * timeline copied them from the run's metrics (kdo_timeline_metrics).  Each
 * chart is an <svg class="cw-chart"> whose bars ("cw-bar") carry
 * data-minute (the period's first) and data-v and a <title>, so a reader
 * can check them against `kdaout run --metrics`.  Pure output: a part of
 * report (report-int.h).
 */
#include "report-int.h"

#include "timeline.h"

#include <stdio.h>

#define CHART_W 360
#define CHART_H 64
#define PAD 4
#define LABEL_H 12 /* the time under the bars: 0 and the end, in minutes */

static void chart(FILE *out, const struct kdo_tl_lane *l, enum kdo_tl_metric m)
{
    const double *v = l->bars[m];
    double top = 0;
    char num[48];
    for (size_t i = 0; i < l->nbars; i++)
        top = v[i] > top ? v[i] : top;
    double bar = (double)(CHART_W - 2 * PAD) / (double)l->nbars;
    fputs("<div class=\"cw\"><p class=\"cw-title\">", out);
    kdo__report_put(out, kdo_tl_metric_title(m), KDO__ESC_HTML);
    kdo__report_fmt_num(num, sizeof num, 0, 6, top);
    fprintf(out, " <span class=\"cw-max\">max %s</span></p>\n", num);
    fprintf(out, "<svg class=\"cw-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", CHART_W, CHART_H + LABEL_H,
            CHART_W, CHART_H + LABEL_H);
    fprintf(out, "<line class=\"cw-axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", PAD,
            CHART_H - PAD, CHART_W - PAD, CHART_H - PAD);
    for (size_t i = 0; i < l->nbars; i++) {
        double h = top > 0 ? (CHART_H - 2 * PAD) * v[i] / top : 0;
        kdo__report_fmt_num(num, sizeof num, 0, 6, v[i]);
        fprintf(out, "<rect class=\"cw-bar\" data-minute=\"%zu\" data-v=\"%s\" x=\"%.2f\" "
                "y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>", i * l->period, num,
                PAD + bar * (double)i, CHART_H - PAD - h, bar > 1.5 ? bar - 0.5 : bar, h);
        if (l->period == 1)
            fprintf(out, "minute %zu: %s</title></rect>\n", i + 1, num);
        else
            fprintf(out, "minutes %zu-%zu: %s</title></rect>\n", i * l->period + 1,
                    (i + 1) * l->period, num);
    }
    fprintf(out, "<text class=\"cw-time\" x=\"%d\" y=\"%d\">0</text>"
            "<text class=\"cw-time cw-end\" x=\"%d\" y=\"%d\">%zu min</text>\n", PAD,
            CHART_H + LABEL_H - 2, CHART_W - PAD, CHART_H + LABEL_H - 2,
            l->nbars * l->period);
    fputs("</svg></div>\n", out);
}

void kdo__report_minutes(FILE *out, const struct kdo_timeline *t)
{
    int any = 0;
    for (size_t i = 0; i < t->nlanes; i++)
        any |= t->lanes[i].nbars > 0;
    if (!any)
        return;
    fputs("<div class=\"cloudwatch\">\n<h2>CloudWatch metrics</h2>\n<p>As KDA published them: "
          "DeliveryFailedRecords counts the records the function answered DeliveryFailed; a "
          "function error, a timeout or a throttled call fails its whole invocation and shows "
          "in the timeline and the checks, not here.</p>\n", out);
    for (size_t i = 0; i < t->nlanes; i++) {
        const struct kdo_tl_lane *l = &t->lanes[i];
        if (l->nbars == 0)
            continue;
        fputs("<h3>destination ", out);
        kdo__report_put(out, l->id[0] ? l->id : "1.1", KDO__ESC_HTML);
        if (l->period == 1)
            fputs(": a bar a minute</h3>\n<div class=\"cw-row\">\n", out);
        else
            fprintf(out, ": a bar per %zu minutes (the run is long)</h3>\n"
                    "<div class=\"cw-row\">\n", l->period);
        for (int m = 0; m < KDO_TL_METRICS; m++)
            chart(out, l, (enum kdo_tl_metric)m);
        fputs("</div>\n", out);
        if (l->minutes_cut)
            fprintf(out, "<p>The first %zu minutes are charted; %zu more are not.</p>\n",
                    l->nbars * l->period, l->minutes_cut);
    }
    fputs("</div>\n", out);
}
