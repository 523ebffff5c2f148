"""Builds the Word templates in templates/ (GB/T 9704-2012 layout) that docxtpl renders.

The templates are committed so an office can restyle them in Word; run
`python -m activity_day.documents.docx_build` to rebuild them from this file.

The prose is not written here: it comes from the macros in templates/_plan_prose.j2, _circular_prose.j2 and
_document_prose.j2, which the Markdown and HTML templates use too. Text without fields is written into the
Word template as it is; text with fields becomes a call of the same macro, rendered by docxtpl.
"""

from __future__ import annotations

import io
from pathlib import Path

from activity_day.documents.gbt9704 import (
    LETTER,
    attachment,
    attachments_note,
    colophon,
    figure,
    letterhead,
    new_document,
    p,
    signature,
    table,
)
from activity_day.documents.render import environment, pin_zip
from activity_day.settings import TEMPLATES_DIR


def _prose(name: str):
    """The prose macros of templates/`name`: text without fields is written into the Word template as it is."""
    return environment().get_template(name).module


def plan_template(*, draft: bool):
    """The official plan (masthead, number, 版记, the comments as its attachment) or the draft for comments
    (none of these, marked as the draft for comments)."""
    prose = _prose("_plan_prose.j2")
    doc = new_document()
    if draft:
        p(doc, prose.draft_mark(), "GW Mark")
    else:
        letterhead(doc)
    # The imports render to nothing; they go before the first field that calls a macro.
    p(doc, '{% import "_plan_prose.j2" as prose %}' + LETTER + "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ addressees }}", "GW Flush")
    p(doc, "{{ prose.intro(p) }}")
    p(doc, prose.time_heading(), "GW H1")
    p(doc, "{{ prose.activity_time(p) }}")
    p(doc, prose.marks_heading(), "GW H1")
    p(doc, "{%p if p.marks %}")
    p(doc, prose.marks_lead())
    table(doc, prose.marks_headers, "m in p.marks",
          ["{{ m.date_cn }}", "{{ prose.mark_name(m) }}", "{{ prose.mark_kind(m) }}"], [35, 80, 41])
    p(doc, "{%p else %}")
    p(doc, prose.no_marks())
    p(doc, "{%p endif %}")
    p(doc, "{{ prose.learning_heading(p) }}", "GW H1")
    p(doc, "{%p for cat in p.learning %}")
    p(doc, "{{ prose.category_heading(cn_numbers[loop.index0], cat) }}", "GW H2")
    p(doc, "{%p for item in cat['items'] %}")
    p(doc, "{{ prose.learning_item(item) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endfor %}")
    p(doc, prose.checklist_heading(), "GW H1")
    p(doc, prose.checklist_lead())
    table(doc, prose.checklist_headers, "item in checklist_rows",
          ["{{ item.code }}", "{{ item.task }}", "{{ item.title }}", "{{ prose.item_kind(item) }}"],
          [22, 42, 70, 22])
    p(doc, "{%p if p.programs or p.get('lecture_menu') %}")
    p(doc, prose.programs_heading(), "GW H1")
    p(doc, "{%p for prog in p.programs %}")
    p(doc, "{{ prose.program(loop.index, prog) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p if p.get('lecture_menu') %}")
    p(doc, "{{ prose.menu_lead(p) }}")
    p(doc, "{%p for m in p.get('lecture_menu') %}")
    p(doc, "{{ prose.menu_item(m) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endif %}")
    p(doc, "{%p endif %}")
    p(doc, "{{ prose.requirements_heading(p) }}", "GW H1")
    p(doc, prose.plans_heading(), "GW H2")
    p(doc, "{{ prose.plans_due(p) }}")
    p(doc, prose.required_heading(), "GW H2")
    p(doc, prose.required_actions())
    p(doc, prose.inspection_heading(), "GW H2")
    p(doc, "{{ prose.inspection(p, sample_share_cn) }}")
    p(doc, "{%p if p.notes %}")
    p(doc, prose.notes_heading(), "GW H1")
    p(doc, "{%p for note in p.notes %}")
    p(doc, "{{ note }}", "GW Note")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endif %}")
    if draft:
        signature(doc)
        return doc
    p(doc, "{%p if comments %}")
    p(doc, "", "GW Flush").paragraph_format.keep_with_next = True  # 附件说明: one line below the text
    p(doc, prose.comments_heading()).paragraph_format.keep_with_next = True
    p(doc, "{%p endif %}")
    signature(doc)
    p(doc, "{%p if comments %}")
    label = p(doc, prose.comments_label(), "GW Attachment")
    label.paragraph_format.page_break_before = True
    p(doc, prose.comments_title, "GW Title")
    p(doc, "", "GW Flush")
    table(doc, prose.comments_headers, "c in comments",
          ["{{ loop.index }}", "{{ c.department }}", "{{ c.content }}", "{{ c.disposition }}", "{{ c.reason }}"],
          [10, 18, 72, 20, 36])
    p(doc, "{%p endif %}")
    colophon(doc)
    return doc


def circular_template():
    prose = _prose("_circular_prose.j2")
    doc = new_document()
    letterhead(doc)
    p(doc, '{% import "_circular_prose.j2" as prose %}' + LETTER + "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ addressees }}", "GW Flush")
    p(doc, "{{ prose.opening(month_label, activity_date_cn) }}")
    p(doc, prose.basics_heading(), "GW H1")
    p(doc, "{{ prose.basics(s) }}")
    p(doc, "{%p if not s.scored %}")
    p(doc, prose.no_scores())
    p(doc, "{%p endif %}")
    p(doc, "{%p if s.unscored_drawn %}")
    p(doc, "{{ prose.unscored_drawn(s) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if evidence %}")
    p(doc, "{{ prose.evidence(evidence) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if standing %}")
    p(doc, "{{ prose.standing(standing) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if draw_code %}")
    p(doc, "{{ prose.draw_public(publish_at, draw_code) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if has_charts %}")
    figure(doc, "bars_image", prose.figure_caption(1, prose.bars_title()))
    p(doc, "{%p if has_trend %}")
    figure(doc, "trend_image", prose.figure_caption(2, prose.trend_title()))
    p(doc, "{%p else %}")
    p(doc, prose.no_trend())
    p(doc, "{%p endif %}")
    p(doc, "{%p endif %}")
    p(doc, prose.practices_heading(), "GW H1")
    p(doc, "{%p if commended %}")
    p(doc, "{{ prose.commended_lead(commended|length, thresholds) }}")
    p(doc, "{%p for r in commended %}")
    p(doc, "{{ prose.commended_item(loop.index, r.label, r.final, r.activities) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p else %}")
    p(doc, "{{ prose.no_commended(thresholds) }}")
    p(doc, "{%p endif %}")
    p(doc, prose.problems_heading(), "GW H1")
    p(doc, "{%p if categories %}")
    p(doc, "{{ prose.problems_lead(s, categories) }}")
    p(doc, "{%p for c in categories %}")
    p(doc, "{{ prose.category_head(loop.index0, c.category, c.count) }}{% for k in c.cases %}"
           "{{ prose.cases_lead() if loop.first }}{{ prose.case(k.label, k.problems) }}"
           "{{ '；' if not loop.last else '。' }}{% endfor %}")
    p(doc, "{%p endfor %}")
    p(doc, prose.problems_in_full())
    p(doc, "{%p else %}")
    p(doc, prose.no_problems())
    p(doc, "{%p endif %}")
    p(doc, "{%p if rectify %}")
    p(doc, "{{ prose.rectify_lead(rectify|length, thresholds) }}"
           "{% for r in rectify %}{{ prose.station_score(r.name, r.final) }}{{ '、' if not loop.last else '。' }}{% endfor %}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if rectification %}")
    p(doc, "{{ prose.rectification(rectification) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if lectures %}")
    p(doc, "{{ prose.lectures(lectures) }}")
    p(doc, prose.lectures_table_title(), "GW Caption").paragraph_format.keep_with_next = True
    table(doc, prose.lecture_headers, "t in lectures.townships + [dict(lectures, township=prose.lecture_total_label)]",
          ["{{ t.township }}", "{{ t.orders }}", "{{ t.formed }}", "{{ t.delivered }}", "{{ t.ratings }}",
           "{{ t.average or '—' }}", "{{ t.unserved }}"], [36, 18, 24, 20, 18, 22, 18])
    p(doc, "{%p endif %}")
    p(doc, prose.next_heading(), "GW H1")
    p(doc, "{{ prose.next_steps(s) }}")
    attachments_note(doc, prose)
    signature(doc)
    attachment(doc, prose, 1)
    table(doc, prose.ranking_headers, "r in ranking",
          ["{{ r.rank or '—' }}", "{{ r.township }}", "{{ r.stations }}", "{{ r.scored }}",
           "{{ r.average|score if r.average is not none else prose.unscored_label }}", "{{ r.change|signed }}"],
          [14, 44, 20, 26, 28, 24])
    attachment(doc, prose, 2)
    p(doc, "{%p if results %}")
    table(doc, prose.results_headers, "r in results",
          ["{{ loop.index }}", "{{ r.station_code }}", "{{ r.name }}", "{{ r.township }}", "{{ r.team_score|score }}",
           "{{ r.observer_score|score }}", "{{ r.final|score }}"], [10, 12, 64, 22, 16, 16, 16])
    p(doc, "{%p else %}")
    p(doc, prose.no_results())
    p(doc, "{%p endif %}")
    p(doc, "{%p if unscored %}")
    p(doc, prose.unscored_lead() + "{% for r in unscored %}{{ r.name }}{{ '、' if not loop.last else '。' }}{% endfor %}",
      "GW Note")
    p(doc, "{%p endif %}")
    attachment(doc, prose, 3)
    p(doc, "{%p if problems %}")
    table(doc, prose.problems_headers, "r in problems",
          ["{{ loop.index }}", "{{ r.township }}", "{{ r.name }}", "{{ r.category }}", "{{ r.problems }}"],
          [10, 24, 60, 19, 43])
    p(doc, "{%p else %}")
    p(doc, prose.no_problems())
    p(doc, "{%p endif %}")
    colophon(doc)
    return doc


def evaluation_template():
    """The year-round evaluation report: no masthead (a report, not a numbered document), the county's six
    dimensions, the townships with their chart, the stations to watch, and every station as the attachment."""
    prose = _prose("_evaluation_prose.j2")
    doc = new_document()
    p(doc, '{% import "_evaluation_prose.j2" as prose %}' + LETTER + "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ prose.opening(e) }}")
    p(doc, prose.overview_heading(), "GW H1")
    p(doc, "{{ prose.overview(e) }}")
    p(doc, prose.dimensions_heading(), "GW H1")
    p(doc, prose.dimensions_lead())
    table(doc, prose.dimension_headers, "d in dimensions",
          ["{{ d.name }}", "{{ d.weight|round(0)|int }}", "{{ d.average|score }}", "{{ d.indicators }}"],
          [20, 16, 24, 96])
    p(doc, prose.townships_heading(), "GW H1")
    p(doc, "{{ prose.townships_lead(e) }}")
    p(doc, "{%p if has_chart %}")
    figure(doc, "bars_image", prose.figure_caption())
    p(doc, "{%p endif %}")
    table(doc, prose.township_headers, "t in townships",
          ["{{ t.township }}", "{{ t.stations }}", "{{ t.d1|score }}", "{{ t.d2|score }}", "{{ t.d3|score }}",
           "{{ t.d4|score }}", "{{ t.d5|score }}", "{{ t.d6|score }}", "{{ t.total|score }}"],
          [28, 12, 16, 16, 16, 16, 16, 16, 20])
    p(doc, prose.watch_heading(), "GW H1")
    p(doc, "{%p if watch %}")
    p(doc, "{{ prose.watch_lead(watch|length) }}")
    table(doc, prose.watch_headers, "w in watch",
          ["{{ loop.index }}", "{{ w.township }}", "{{ w.name }}", "{{ w.total|score }}", "{{ w.reasons }}"],
          [12, 24, 50, 18, 52])
    p(doc, "{%p else %}")
    p(doc, prose.no_watch())
    p(doc, "{%p endif %}")
    p(doc, prose.cards_note())
    signature(doc)
    attachment(doc, prose, 1)
    table(doc, prose.station_headers, "s in stations",
          ["{{ loop.index }}", "{{ s.township }}", "{{ s.name }}", "{{ s.total|score }}", "{{ prose.stars_text(s.stars) }}"],
          [14, 28, 70, 20, 24])
    return doc


def demonstration_template():
    """The demonstration-station notices: the list put up for public comment and the naming notice (`kind`)."""
    prose = _prose("_demonstration_prose.j2")
    doc = new_document()
    p(doc, '{% import "_demonstration_prose.j2" as prose %}' + LETTER + "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ prose.publicity_body(d) if kind == 'publicity' else prose.naming_body(d) }}")
    table(doc, prose.headers, "s in d.stations",
          ["{{ loop.index }}", "{{ s.township }}", "{{ s.name }}", "{{ s.brand }}"], [14, 30, 70, 42])
    signature(doc)
    return doc


TEMPLATES = {"plan.docx": lambda: plan_template(draft=False), "plan-draft.docx": lambda: plan_template(draft=True),
             "circular.docx": circular_template, "evaluation.docx": evaluation_template,
             "demonstration.docx": demonstration_template}


def template_bytes(name: str) -> bytes:
    out = io.BytesIO()
    doc = TEMPLATES[name]()
    doc.core_properties.author = "activity-day"
    out_doc = doc
    out_doc.save(out)
    return pin_zip(out.getvalue())


def build(target: Path = TEMPLATES_DIR) -> list[Path]:
    written = []
    for name in TEMPLATES:
        path = target / name
        path.write_bytes(template_bytes(name))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path}")  # noqa: T201
