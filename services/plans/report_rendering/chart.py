"""The report's chart: tasks by status and articles per topic, as a PNG made in memory.

matplotlib's object API with the Agg canvas (no pyplot: no global figure state, safe in a
service worker); its bundled DejaVu Sans covers Vietnamese."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from services.plans.domain.upward_report import ChartData

BUCKET_COLOURS = ("#2e7d32", "#f9a825", "#1565c0", "#c62828")
TOPIC_COLOUR = "#37474f"
WIDTH_INCHES, HEIGHT_INCHES, DPI = 7.2, 3.4, 200
LABEL_SIZE, TITLE_SIZE = 8.5, 9.5
TOPICS_SHOWN = 8


def chart_png(data: ChartData) -> bytes:
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.set_layout_engine("constrained")
    left, right = figure.subplots(1, 2, width_ratios=(1, 1.15))
    positions = range(len(data.bucket_values))
    bars = left.barh(positions, data.bucket_values, color=BUCKET_COLOURS[:len(positions)])
    left.set_yticks(list(positions), data.bucket_labels, fontsize=LABEL_SIZE)
    left.invert_yaxis()
    left.bar_label(bars, fontsize=LABEL_SIZE, padding=2)
    left.set_title("Nhiệm vụ theo tình trạng", fontsize=TITLE_SIZE)
    left.set_xlabel("Số nhiệm vụ", fontsize=LABEL_SIZE)
    topics = sorted(((label, n) for label, n in zip(data.topic_labels, data.topic_values,
                                                     strict=True) if n > 0),
                    key=lambda pair: -pair[1])[:TOPICS_SHOWN]
    if topics:
        places = range(len(topics))
        bars = right.barh(places, [n for _, n in topics], color=TOPIC_COLOUR)
        right.set_yticks(list(places), [label for label, _ in topics], fontsize=LABEL_SIZE)
        right.invert_yaxis()
        right.bar_label(bars, fontsize=LABEL_SIZE, padding=2)
        right.set_xlabel("Số tin, bài", fontsize=LABEL_SIZE)
    else:
        right.text(0.5, 0.5, "Chưa có số liệu giám sát", ha="center", va="center",
                   fontsize=LABEL_SIZE, transform=right.transAxes)
        right.set_axis_off()
    right.set_title("Tin, bài theo chủ đề (giám sát)", fontsize=TITLE_SIZE)
    for axes in (left, right):
        axes.tick_params(axis="x", labelsize=LABEL_SIZE)
        axes.spines[["top", "right"]].set_visible(False)
        axes.margins(x=0.15)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()
