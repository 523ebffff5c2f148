"""The demonstration-station notices' context (公示 and 命名), for their md, html and docx templates. Pure.

The naming notice (命名) is an issued document like the plan and the circular: the red issuer mark, a number
from the office's register, 主送, the signature and the 版记. The list put up for public comment (公示) is a
simpler notice: title, text, list and signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from activity_day.documents.contexts import masthead, signature_indents
from activity_day.domain.dates import cn_date
from activity_day.domain.profile import CountyInfo

Kind = Literal["publicity", "naming"]


def notice_title(kind: Kind, round_: str, county_name: str) -> str:
    if kind == "publicity":
        return f"关于{round_}年度{county_name}新时代文明实践示范所站拟命名名单的公示"
    return f"关于命名{round_}年度{county_name}新时代文明实践示范所站的通知"


@dataclass(frozen=True)
class RoundList:
    """A round's list as its notices state it: `stations` the listed ones ({township, name, brand}), `withdrawn`
    the names an upheld objection kept from being named, `publicity` the 公示 period."""

    round_: str
    stations: list[dict[str, str]]
    withdrawn: list[str]
    publicity: tuple[date, date]


def notice_context(kind: Kind, listed: RoundList, *, county: CountyInfo, signed: date,
                   doc_number: str | None) -> dict[str, Any]:
    """What a notice shows: the round's list, signed by the county's office on `signed`; `doc_number` the naming
    notice's number."""
    round_, stations, withdrawn, publicity = listed.round_, listed.stations, listed.withdrawn, listed.publicity
    issued = kind == "naming"
    if issued and not doc_number:
        raise ValueError("the naming notice is issued with a document number")
    signed_cn = cn_date(signed)
    d = {"round": round_, "county_name": county.name, "office_short": county.office_short, "stations": stations,
         "start_cn": cn_date(publicity[0]), "end_cn": cn_date(publicity[1]), "withdrawn": withdrawn}
    return {
        "title": notice_title(kind, round_, county.name), "kind": kind, "d": d,
        "office_name": county.office_name, "signed_cn": signed_cn,
        "signature": signature_indents(county.office_name, signed_cn),
        "issuer": f"{county.office_name}文件" if issued else None,
        "mark": masthead(f"{county.office_name}文件") if issued else None,
        "doc_number": doc_number if issued else None,
        "addressees": county.addressees if issued else None,
        "cc": county.cc, "printer": county.printer or county.office_name,
    }
