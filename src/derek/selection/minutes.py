"""The minutes of a Commission session, generated from its record: who was present, each agenda item
with its assessment and demand, every member's vote and comment, the declared conflicts of interest, the
tally, the decision and its rationale. One structure (`Minutes`) feeds the HTML page and the PDF, which
embeds DejaVu Sans (fpdf2), so Kazakh and Russian letters print as written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from sqlalchemy.orm import Session

from derek.catalog import service as catalog
from derek.config import Profile
from derek.core.i18n import pick, translator
from derek.selection import commission_service, service
from derek.selection.models import CommissionSession

FONTS = Path(__file__).resolve().parent / "fonts"
VOTE_LABELS = {"recommend": "Recommend", "reject": "Reject", "defer": "Defer"}
RECOMMENDATION_LABELS = {"include": "Include in the list", "defer": "Defer", "exclude": "Do not include"}


@dataclass
class MinutesItem:
    heading: str  # "1. P-12 Bus timetables — Akimat of Almaty"
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    votes: list[tuple[str, str, str]] = field(default_factory=list)  # (member, vote label, comment)
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (member, statement)
    tally: str = ""
    decision: str = ""
    rationale: str = ""


@dataclass
class Minutes:
    title: str
    subtitle: str
    status_note: str  # "" once the session is closed
    present: list[str]
    absent: list[str]
    items: list[MinutesItem]
    footer: str
    lang: str = "en"


def build(
    session: Session, profile: Profile, row: CommissionSession, lang: str, *, site: str = ""
) -> Minutes:
    _ = translator(lang)
    langs = (lang, profile.default_language, *profile.languages)
    commission_id, _owner = service.bodies(session, profile)
    names = (
        {i: pick(t, lang, langs) for i, _slug, t in catalog.organization_titles(session, [commission_id])}
        if commission_id
        else {}
    )
    commission = names.get(commission_id or "", "") or _("the Commission")
    records = commission_service.session_record(session, profile, row)
    org_titles = {
        i: pick(t, lang, langs)
        for i, _slug, t in catalog.organization_titles(
            session, list({r.proposal.organization_id for r in records})
        )
    }
    members = commission_service.members_of(session, profile, row)
    took_part = {m.user_id for r in records for m, _v in r.votes} | {
        m.user_id for r in records for m, _c in r.conflicts
    }
    items = []
    for position, record in enumerate(records, start=1):
        p = record.proposal
        # a decided item shows the figures the Commission decided on; an open one today's
        then = record.item.facts or {
            "demand_index": service.demand_for(session, profile, p).index,
            "score": p.score,
            "recommendation": p.recommendation,
        }
        score, recommendation = then.get("score"), then.get("recommendation") or ""
        facts = [
            (_("Responsible organization"), org_titles.get(p.organization_id, "")),
            (_("Demand index"), str(then.get("demand_index", 0))),
            (_("Assessment score"), f"{score} / 100" if score is not None else _("Not assessed")),
            (_("Recommendation"), _(RECOMMENDATION_LABELS[recommendation]) if recommendation else "—"),
        ]
        tally = " · ".join(f"{_(VOTE_LABELS[v])}: {n}" for v, n in record.tally.items())
        quorum = _("{voted} of {eligible} members without a conflict voted; quorum {quorum}.",
                   voted=len(record.votes), eligible=record.eligible, quorum=record.quorum)  # fmt: skip
        items.append(
            MinutesItem(
                heading=f"{position}. P-{p.number} {p.title} — {org_titles.get(p.organization_id, '')}",
                facts=facts,
                votes=[(m.display, _(VOTE_LABELS[v.vote]), v.comment) for m, v in record.votes],
                conflicts=[(m.display, c.statement) for m, c in record.conflicts],
                tally=f"{tally}. {quorum}",
                decision=(
                    _("Decision: {decision}", decision=_(VOTE_LABELS[record.item.decision]).lower())
                    if record.item.decision
                    else _("No decision recorded")
                ),
                rationale=record.item.rationale,
            )
        )
    where = f", {row.place}" if row.place else ""
    return Minutes(
        title=_("Minutes of session No. {number} of {commission}", number=row.number, commission=commission),
        subtitle=f"{row.title}. {row.held_on.isoformat()}{where}",
        status_note=""
        if row.status == "closed"
        else _("Draft: the session is not closed, the record may still change."),
        present=[m.display for m in members if m.user_id in took_part],
        absent=[m.display for m in members if m.user_id not in took_part],
        items=items,
        footer=_("Generated by the portal from the session's record.")
        + (f" {site}/selection/commission/{row.number}" if site else ""),
        lang=lang,
    )


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", size=8)
        self.set_text_color(90, 90, 90)
        self.multi_cell(0, 4, f"{self.footer_text}  {self.page_no()}/{{nb}}", align="C")


def render_pdf(minutes: Minutes) -> bytes:
    pdf = _Pdf(format="A4")
    pdf.footer_text = minutes.footer
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(minutes.title)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def para(text: str, size: int = 10, bold: bool = False) -> None:
        if not text:
            return
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(width, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    heading(minutes.title, 15)
    para(minutes.subtitle, 11)
    if minutes.status_note:
        pdf.set_text_color(150, 60, 0)
        para(minutes.status_note, 10, bold=True)
        pdf.set_text_color(0, 0, 0)
    _ = translator(minutes.lang)
    para(_("Present") + ": " + (", ".join(minutes.present) or "—"))
    para(_("Absent") + ": " + (", ".join(minutes.absent) or "—"))
    for item in minutes.items:
        pdf.ln(2)
        heading(item.heading, 12)
        for label, value in item.facts:
            para(f"{label}: {value}", 9)
        for member, vote, comment in item.votes:
            para(f"• {member} — {vote}" + (f": {comment}" if comment else ""), 10)
        for member, statement in item.conflicts:
            para(f"⚠ {member} — {_('Conflict of interest')}: {statement}", 10)
        para(item.tally, 9)
        para(item.decision, 11, bold=True)
        para(item.rationale, 10)
    return bytes(pdf.output())
