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
    attachments_list,
    colophon,
    figure,
    letterhead,
    new_document,
    numbered_attachment,
    p,
    signature,
    table,
)
from activity_day.documents.render import environment, pin_zip
from activity_day.resources import TEMPLATES_DIR


def _prose(name: str):
    """The prose macros of templates/`name`: text without fields is written into the Word template as it is."""
    return environment().get_template(name).module


def plan_template(*, draft: bool):
    """The official plan (masthead, number, 版记, what the review adopted as a fourth requirement) or the draft for
    comments (none of these, marked as the draft for comments). The disposition table is a document of its own."""
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
          ["{{ item.code }}", "{{ item.task }}", "{{ prose.item_content(item) }}", "{{ prose.item_kind(item) }}"],
          [22, 36, 76, 22])
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
    if not draft:
        p(doc, "{%p if amendments %}")
        p(doc, prose.amendments_heading(), "GW H2")
        p(doc, "{%p for c in amendments %}")
        p(doc, "{{ prose.amendment(loop.index, c) }}")
        p(doc, "{%p endfor %}")
        p(doc, "{%p endif %}")
    p(doc, "{%p if p.notes %}")
    p(doc, prose.notes_heading(), "GW H1")
    p(doc, "{%p for note in p.notes %}")
    p(doc, "{{ note }}", "GW Note")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endif %}")
    signature(doc)
    if not draft:
        colophon(doc)
    return doc


def dispositions_template():
    """The disposition table: the office's record of the review, no masthead, no number."""
    prose = _prose("_plan_prose.j2")
    doc = new_document()
    p(doc, '{% import "_plan_prose.j2" as prose %}{{ prose.dispositions_title(p) }}', "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{{ prose.dispositions_lead(p, doc_number, changed) }}")
    table(doc, prose.comments_headers, "c in comments",
          ["{{ loop.index }}", "{{ c.department }}", "{{ c.content }}", "{{ c.disposition }}", "{{ c.reason or '' }}",
           "{{ prose.effect(c) }}"],
          [10, 16, 52, 18, 30, 30])
    p(doc, "{%p if amendments %}")
    p(doc, prose.amendments_lead())
    p(doc, "{%p for c in amendments %}")
    p(doc, "{{ prose.amendment(loop.index, c) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endif %}")
    signature(doc)
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
    p(doc, "{{ prose.basics(s, number.ranking, has_trend, thresholds) }}")
    for condition, text in (("not s.scored", prose.no_scores()), ("s.unscored_drawn", "{{ prose.unscored_drawn(s, number.results) }}"),
                            ("s.observed_only", "{{ prose.observers(s, number.results) }}"),
                            ("evidence", "{{ prose.evidence(evidence, number.checkins) }}"),
                            ("standing", "{{ prose.standing(standing) }}"),
                            ("record_number", "{{ prose.draw_public(publish_at, record_number) }}")):
        p(doc, "{%p if " + condition + " %}")
        p(doc, text)
        p(doc, "{%p endif %}")
    p(doc, prose.practices_heading(), "GW H1")
    p(doc, "{%p if commended %}")
    p(doc, "{{ prose.commended_lead(s, thresholds) }}")
    p(doc, "{%p for r in commended %}")
    p(doc, "{{ prose.commended_item(loop.index, r.label, r.final, r.activities) }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p else %}")
    p(doc, "{{ prose.no_commended(s, thresholds) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if lectures %}")
    p(doc, prose.lectures_heading(), "GW H1")
    p(doc, "{{ prose.lectures(lectures, number.lectures) }}")
    p(doc, "{%p endif %}")
    p(doc, "{{ prose.problems_heading(sections.problems) }}", "GW H1")
    p(doc, "{%p if categories %}")
    p(doc, "{{ prose.problems_lead(s, categories) }}")
    p(doc, "{%p for c in categories %}")
    p(doc, "{{ prose.category_head(loop.index0, c.category, c.count) }}{% for k in c.cases %}"
           "{{ prose.cases_lead() if loop.first }}{{ prose.case(k.label, k.problems) }}"
           "{{ '；' if not loop.last else '。' }}{% endfor %}")
    p(doc, "{%p endfor %}")
    p(doc, "{{ prose.problems_in_full(number.problems) }}")
    p(doc, "{%p else %}")
    p(doc, prose.no_problems())
    p(doc, "{%p endif %}")
    p(doc, "{%p if rectify %}")
    p(doc, "{{ prose.rectify_lead(rectify|length, thresholds) }}"
           "{% for r in rectify %}{{ prose.station_score(r.name, r.final) }}{{ '、' if not loop.last else '。' }}{% endfor %}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if rectification.last_month %}")
    p(doc, "{{ prose.last_month(rectification) }}")
    p(doc, "{%p endif %}")
    p(doc, "{%p if rectification.overdue_stations %}")
    p(doc, "{{ prose.overdue(rectification, signed_cn, number.overdue) }}")
    p(doc, "{%p endif %}")
    p(doc, "{{ prose.next_heading(sections.next) }}", "GW H1")
    p(doc, "{%p for r in requirements %}")
    p(doc, "{{ prose.item_number(loop.index0) }}{% if r == 'general' %}{{ prose.require_general() }}"
           "{% elif r == 'rectify' %}{{ prose.require_rectify(rectification) }}"
           "{% elif r == 'overdue' %}{{ prose.require_overdue(rectification, number.overdue) }}"
           "{% elif r == 'checkins' %}{{ prose.require_checkins(evidence, number.checkins, deadline_cn) }}"
           "{% elif r == 'lectures' %}{{ prose.require_lectures(lectures) }}"
           "{% elif r == 'feedback' %}{{ prose.require_feedback(s) }}{% endif %}")
    p(doc, "{%p endfor %}")
    attachments_list(doc, "a in attachments", "{{ prose.attachment_item(a.number, prose.attachment_names[a.key]) }}",
                     prose.attachments_lead())
    signature(doc)
    numbered_attachment(doc, "number.ranking", "prose.attachment_names.ranking")
    table(doc, prose.ranking_headers, "r in ranking",
          ["{{ r.rank or '—' }}", "{{ r.township }}", "{{ r.stations }}", "{{ r.scored }}",
           "{{ r.average|score if r.average is not none else prose.unscored_label }}", "{{ r.change|signed }}"],
          [14, 44, 20, 26, 28, 24])
    # The charts illustrate the ranking: beside its table, not in the body.
    p(doc, "{%p if has_charts %}")
    figure(doc, "bars_image", prose.figure_caption(1, prose.bars_title()))
    p(doc, "{%p if has_trend %}")
    figure(doc, "trend_image", prose.figure_caption(2, prose.trend_title()))
    p(doc, "{%p endif %}")
    p(doc, "{%p endif %}")
    numbered_attachment(doc, "number.results", "prose.attachment_names.results")
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
    p(doc, "{%p if observed %}")
    p(doc, prose.observed_title(), "GW Caption").paragraph_format.keep_with_next = True
    table(doc, prose.observed_headers, "r in observed",
          ["{{ loop.index }}", "{{ r.station_code }}", "{{ r.name }}", "{{ r.township }}", "{{ r.observer_score|score }}"],
          [10, 14, 80, 28, 24])
    p(doc, "{%p endif %}")
    p(doc, "{%p if lectures %}")
    numbered_attachment(doc, "number.lectures", "prose.attachment_names.lectures")
    table(doc, prose.lecture_headers, "t in lectures.townships + [dict(lectures, township=prose.lecture_total_label)]",
          ["{{ t.township }}", "{{ t.orders }}", "{{ t.formed }}", "{{ t.delivered }}", "{{ t.ratings }}",
           "{{ t.average or '—' }}", "{{ t.unserved }}"], [36, 18, 24, 20, 18, 22, 18])
    p(doc, "{%p endif %}")
    numbered_attachment(doc, "number.problems", "prose.attachment_names.problems")
    p(doc, "{%p if problems %}")
    table(doc, prose.problems_headers, "r in problems",
          ["{{ loop.index }}", "{{ r.township }}", "{{ r.name }}", "{{ r.category }}", "{{ r.problems }}"],
          [10, 24, 60, 19, 43])
    p(doc, "{%p else %}")
    p(doc, prose.no_problems())
    p(doc, "{%p endif %}")
    p(doc, "{%p if number.overdue %}")
    numbered_attachment(doc, "number.overdue", "prose.attachment_names.overdue")
    table(doc, prose.overdue_headers, "r in rectification.overdue_rows",
          ["{{ loop.index }}", "{{ r.township }}", "{{ r.name }}", "{{ r.count }}", "{{ r.since_cn }}", "{{ r.texts }}"],
          [10, 22, 50, 16, 22, 36])
    p(doc, "{%p endif %}")
    p(doc, "{%p if number.checkins %}")
    numbered_attachment(doc, "number.checkins", "prose.attachment_names.checkins")
    table(doc, prose.checkins_headers, "r in checkins", ["{{ r.township }}", "{{ r.count }}", "{{ r.names }}"],
          [26, 16, 114])
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
    """The demonstration-station notices (`kind`): the list put up for public comment (title, text, list and
    signature) and the naming notice, issued like the circular: masthead and number, addressees, 版记."""
    prose = _prose("_demonstration_prose.j2")
    doc = new_document()
    letterhead(doc)
    p(doc, '{% import "_demonstration_prose.j2" as prose %}' + LETTER + "{{ title }}", "GW Title")
    p(doc, "", "GW Flush")
    p(doc, "{%p if addressees %}", "GW Flush")
    p(doc, "{{ addressees }}", "GW Flush")
    p(doc, "{%p endif %}", "GW Flush")
    p(doc, "{{ prose.publicity_body(d) if kind == 'publicity' else prose.naming_body(d) }}")
    table(doc, prose.headers, "s in d.stations",
          ["{{ loop.index }}", "{{ s.township }}", "{{ s.name }}", "{{ s.brand }}"])
    signature(doc)
    colophon(doc, when="issuer")
    return doc


TEMPLATES = {"plan.docx": lambda: plan_template(draft=False), "plan-draft.docx": lambda: plan_template(draft=True),
             "review-dispositions.docx": dispositions_template,
             "circular.docx": circular_template, "evaluation.docx": evaluation_template,
             "demonstration.docx": demonstration_template}


def template_bytes(name: str) -> bytes:
    out = io.BytesIO()
    doc = TEMPLATES[name]()
    props = doc.core_properties  # python-docx fills in its own name and "generated by python-docx"
    props.author = props.last_modified_by = props.comments = ""
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
