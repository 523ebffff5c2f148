"""The month's lecture menu (宣讲菜单): one item per learning category of the plan and per county programme.

Topics are the learning categories' names (理论武装…) and the programmes' names: the words speakers list in
the pool's 宣讲主题. Each item lists what it covers (the month's learning items, or the programme's description)
and the stories of the pool that fit it, the most widely told first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from activity_day.domain.plan import MenuEntry, PlanContent


def topics_of(content: PlanContent | None, category_names: Iterable[str], programs: Iterable[str]) -> list[str]:
    """Every topic a speaker may list: the learning categories and the county programmes."""
    names = list(category_names) + list(programs)
    if content is not None:
        names += [c.name for c in content.learning] + [p.name for p in content.programs]
    return list(dict.fromkeys(names))


def stories_by_topic(pool: Iterable[tuple[list[str], list[str]]]) -> dict[str, list[str]]:
    """For each topic, the stories its speakers tell, most speakers first, then by title: pool is (topics, stories)."""
    counts: dict[str, Counter] = {}
    for topics, stories in pool:
        for topic in topics:
            counts.setdefault(topic, Counter()).update(set(stories))
    return {t: [s for s, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))] for t, c in counts.items()}


def build_menu(content: PlanContent, stories: dict[str, list[str]], per_item: int = 3) -> list[MenuEntry]:
    """XJ-01… for the learning categories in plan order, then the county programmes."""
    entries = [(c.name, f"{c.name}：{'、'.join(dict.fromkeys(i.theme for i in c.items if i.theme))}",
                [i.title for i in c.items]) for c in content.learning if c.items]
    entries += [(p.name, p.name, [p.description] if p.description else []) for p in content.programs]
    return [MenuEntry(code=f"XJ-{n:02d}", title=title, topic=topic, covers=covers,
                      stories=stories.get(topic, [])[:per_item])
            for n, (topic, title, covers) in enumerate(entries, start=1)]
