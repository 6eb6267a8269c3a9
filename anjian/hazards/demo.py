"""Demo data: a plausible 2017 of hidden hazards in the demo district (``anjian demo``).

Hazards come from the government inspections and a sample of the self-inspections
the inspections app's demo recorded (found on the inspection's day), with wording
from ``data/demo_hazards.json`` (fictional). Most are general and were rectified
and verified in time; some were late, some are still open and overdue (and so
raise supervision orders, escalated for the oldest); a dozen are major, with
their six-part plans, double reports, 挂牌督办 listings, a suspension with its
resumption application, and re-inspections. Enterprises filed their quarterly
statistics reports, mostly on time.

Idempotent: hazards are upserted by their ledger number; their events, plans and
other records are written only for hazards that have none yet; the overdue job
claims each hazard once. Deterministic: every draw comes from ``ctx.rng`` in the
order of the inspections (by date and credit code), every date from ``ctx.today``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from . import rules
from .models import (
    DeadlineExtension,
    DoubleReport,
    Hazard,
    HazardEvent,
    HazardReport,
    Reinspection,
    RemediationPlan,
    ResumptionApplication,
    SupervisionListing,
    SupervisionOrder,
    Suspension,
)

DATA = Path(__file__).resolve().parent / "data" / "demo_hazards.json"
S = {"reported": "reported", "rectifying": "rectifying", "rectified": "rectified", "verified": "verified"}


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _template(rng: Any, templates: list[dict[str, Any]], sectors: set[str]) -> dict[str, Any]:
    fitting = [t for t in templates if t["sectors"] and sectors.intersection(t["sectors"])]
    generic = [t for t in templates if not t["sectors"]]
    pool = fitting if fitting and rng.random() < 0.6 else generic
    return rng.choice(pool)


class Builder:
    """Collects the rows of one load before they are written."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.today: date = ctx.today
        self.data = json.loads(DATA.read_text(encoding="utf-8"))
        self.hazards: list[dict[str, Any]] = []
        self.events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.reinspections: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.extras: dict[str, dict[str, Any]] = {}  # number -> major-hazard records
        self.extensions: dict[str, dict[str, Any]] = {}
        by_credit = {e.credit_code: e for e in ctx.enterprises}
        self.enterprise_user: dict[int, Any] = {}
        for username, user in ctx.users.items():
            if username.startswith("ent-") and username[4:] in by_credit:
                self.enterprise_user[by_credit[username[4:]].pk] = user
        self.inspectors = [ctx.users[u] for u in sorted(ctx.users) if u.startswith("inspector-")]
        self.district_user = ctx.users.get("district")
        self.parents = {s.pk: s.parent_id for s in ctx.sectors.values()}
        self.sector_code_by_pk = {s.pk: s.code for s in ctx.sectors.values()}

    def sectors_of(self, enterprise: Any) -> set[str]:
        codes = set(self.ctx.sector_codes.get(enterprise.pk, ()))
        for code in list(codes):
            parent = self.parents.get(self.ctx.sectors[code].pk)
            if parent:
                codes.add(self.sector_code_by_pk[parent])
        return codes

    # --- one general hazard ---------------------------------------------------------------------
    def general(self, n: int, enterprise: Any, found: date, inspection: Any, reporter: Any, source: str) -> None:
        rng = self.rng
        t = _template(rng, self.data["general"], self.sectors_of(enterprise))
        number = f"YH{found:%Y}D{n:05d}"
        deadline = found + timedelta(days=rng.choice([3, 5, 7, 7, 10, 15, 15, 30]))
        age = (self.today - found).days
        p_done = 0.985 if age > 45 else 0.93 if age > 20 else 0.55
        done = rng.random() < p_done
        late = rng.random() < 0.08
        rejected = rng.random() < 0.05
        awaiting = rng.random() < 0.03
        verifier = rng.choice(self.inspectors) if self.inspectors else None
        ent_user = self.enterprise_user.get(enterprise.pk)
        status, rectified_on, verified_on = S["reported"], None, None
        if done:
            span = max(0, (deadline - found).days)
            rectified_on = deadline + timedelta(days=rng.randint(1, 15)) if late else found + timedelta(
                days=rng.randint(0, span))
            rectified_on = min(rectified_on, self.today)
            verified_on = rectified_on + timedelta(days=rng.randint(1, 10))
            if verified_on > self.today or awaiting:
                status, verified_on = S["rectified"], None
            else:
                status = S["verified"]
        else:
            status = S["rectifying"] if rng.random() < 0.8 else S["reported"]
        funds = Decimal(rng.choice([0, 0, 200, 500, 800, 1500, 3000, 6000]))
        self.hazards.append({
            "number": number, "enterprise_id": enterprise.pk, "inspection_id": getattr(inspection, "pk", None),
            "source": source, "description": t["text"], "location": t["where"], "level": "general",
            "category": t["category"], "legal_basis": t["basis"], "found_on": found, "deadline": deadline,
            "responsible_person": enterprise.safety_manager or "", "measures": t["measures"],
            "funds": funds if done and funds else None, "reporter_id": getattr(reporter, "pk", None),
            "status": status, "rectified_on": rectified_on if status in ("rectified", "verified") else None,
            "verified_on": verified_on, "verified_by_id": getattr(verifier, "pk", None) if verified_on else None,
        })
        ev = self.events[number]
        ev.append(dict(action="report", day=found, actor=reporter, frm="", to="reported"))
        if status == "reported":
            return
        start = min(found + timedelta(days=rng.randint(0, 2)), self.today)
        ev.append(dict(action="start_rectification", day=start, actor=ent_user, frm="reported", to="rectifying"))
        if status == "rectifying":
            return
        if rejected and rectified_on - timedelta(days=3) > start:
            first = rectified_on - timedelta(days=3)
            ev.append(dict(action="submit_rectification", day=first, actor=ent_user, frm="rectifying", to="rectified",
                           evidence="已按要求整改"))
            ev.append(dict(action="reject", day=first + timedelta(days=1), actor=verifier, frm="rectified",
                           to="rectifying", comment="整改不彻底，请重新整改"))
            self.reinspections[number].append(dict(on=first + timedelta(days=1), passed=False, by=verifier,
                                                   opinion="整改不彻底，请重新整改"))
        ev.append(dict(action="submit_rectification", day=rectified_on, actor=ent_user, frm="rectifying",
                       to="rectified", evidence=t["measures"] + "，已完成"))
        if status == "verified":
            ev.append(dict(action="verify", day=verified_on, actor=verifier, frm="rectified", to="verified",
                           comment="复查合格，予以销号"))
            self.reinspections[number].append(dict(on=verified_on, passed=True, by=verifier, opinion="复查合格"))

    # --- the major hazards ------------------------------------------------------------------------
    def majors(self, start_n: int) -> None:
        rng = self.rng
        year = self.today.year
        templates = self.data["major"]
        wanted = {c for t in templates for c in t["sectors"]}
        candidates = [e for e in self.ctx.enterprises if e.status == "operating" and self.sectors_of(e) & wanted]
        picked = {e.pk for e in candidates}
        others = [e for e in self.ctx.enterprises if e.status == "operating" and e.pk not in picked]
        chosen = rng.sample(candidates, min(9, len(candidates))) + rng.sample(others, min(3, len(others)))
        # (status, days before today found, listed level, suspended, extra)
        script = [
            ("verified", 290, "district", False, ""), ("verified", 250, "", False, ""),
            ("verified", 210, "city", True, "resumed"), ("verified", 160, "", False, ""),
            ("verified", 120, "district", False, ""), ("rectified", 75, "district", True, "review_overdue"),
            ("rectified", 40, "", True, "review_pending"), ("rectified", 30, "", False, "awaiting_reinspection"),
            ("rectifying", 95, "", False, "overdue"), ("rectifying", 60, "", False, ""),
            ("reported", 12, "", False, ""), ("reported", 5, "", False, ""),
        ]
        listing_no = {"district": 0, "city": 0}
        for i, (enterprise, (status, days, listed, suspended, extra)) in enumerate(zip(chosen, script, strict=False)):
            sectors = self.sectors_of(enterprise)
            fitting = [t for t in templates if not t["sectors"] or sectors & set(t["sectors"])]
            t = rng.choice(fitting or templates)
            n = start_n + i
            number = f"YH{year}Z{n:03d}"
            found = self.today - timedelta(days=days)
            limit = rng.choice([30, 45, 60])
            deadline = found + timedelta(days=limit)
            if extra == "overdue":
                deadline = self.today - timedelta(days=20)
            inspector = rng.choice(self.inspectors) if self.inspectors else None
            ent_user = self.enterprise_user.get(enterprise.pk)
            rectified_on = verified_on = None
            if status in ("rectified", "verified"):
                rectified_on = min(deadline - timedelta(days=rng.randint(1, 10)), self.today - timedelta(days=16))
            if status == "verified":
                verified_on = rectified_on + timedelta(days=rng.randint(3, 9))
            funds = Decimal(rng.choice([80000, 120000, 150000, 260000, 400000]))
            self.hazards.append({
                "number": number, "enterprise_id": enterprise.pk, "inspection_id": None, "source": "supervision",
                "description": t["text"], "location": t["where"], "level": "major", "category": t["category"],
                "legal_basis": t["basis"], "found_on": found, "deadline": deadline,
                "responsible_person": enterprise.legal_representative or enterprise.safety_manager or "",
                "measures": t["measures"], "funds": funds, "reporter_id": getattr(inspector, "pk", None),
                "status": status, "rectified_on": rectified_on, "verified_on": verified_on,
                "verified_by_id": getattr(self.district_user, "pk", None) if verified_on else None,
            })
            ev = self.events[number]
            ev.append(dict(action="report", day=found, actor=inspector, frm="", to="reported"))
            record: dict[str, Any] = {"enterprise": enterprise}
            if status != "reported":
                ev.append(dict(action="start_rectification", day=found + timedelta(days=1), actor=ent_user,
                               frm="reported", to="rectifying"))
                record["plan"] = {
                    k: v.format(text=t["text"], measures=t["measures"], days=limit)
                    for k, v in self.data["plan"].items()
                } | {"funds": funds, "target_date": deadline, "principal": enterprise.legal_representative or ""}
                ev.append(dict(action="plan", day=found + timedelta(days=3), actor=ent_user, frm="", to=""))
                record["double"] = [("department", found + timedelta(days=5)),
                                    ("workers_congress", found + timedelta(days=rng.randint(8, 20)))]
                for kind, day in record["double"]:
                    ev.append(dict(action="double_report", day=min(day, self.today), actor=ent_user, frm="", to="",
                                   data={"kind": kind}))
            if listed:
                listing_no[listed] += 1
                body, prefix = (("示范区安全生产委员会", "示安委督") if listed == "district"
                                else ("郑州市安全生产委员会", "郑安委督"))
                record["listing"] = dict(level=listed, issuing_body=body,
                                         document_number=f"{prefix}〔{year}〕{listing_no[listed] + 2}号",
                                         listed_on=found + timedelta(days=2), delisted_on=verified_on)
                ev.append(dict(action="listing", day=found + timedelta(days=2), actor=self.district_user, frm="",
                               to="", data={"level": listed}))
            if suspended:
                record["suspension"] = dict(extent=rng.choice(["full", "partial"]), issuing_body="示范区安全生产监督管理局",
                                            document_number=f"（示）安监责停〔{year}〕{i + 1}号",
                                            ordered_on=found + timedelta(days=1))
                ev.append(dict(action="suspension", day=found + timedelta(days=1), actor=inspector, frm="", to=""))
            if status in ("rectified", "verified"):
                ev.append(dict(action="submit_rectification", day=rectified_on, actor=ent_user, frm="rectifying",
                               to="rectified", evidence=t["measures"] + "，治理完成，经专家评估符合要求"))
            if suspended and status in ("rectified", "verified"):
                applied = {"resumed": rectified_on + timedelta(days=1),
                           "review_overdue": self.today - timedelta(days=13),
                           "review_pending": self.today - timedelta(days=4)}[extra]
                app = dict(applied_on=applied, content="重大隐患治理已完成，委托安全评价机构评估合格，申请恢复生产",
                           assessment="评估结论：治理措施落实，符合安全生产条件", assessor="河南某安全评价有限公司")
                ev.append(dict(action="resumption_application", day=applied, actor=ent_user, frm="", to=""))
                if extra == "resumed":
                    app.update(reviewed_on=verified_on, passed=True, opinion="现场审查合格，同意恢复生产")
                    record["suspension"]["lifted_on"] = verified_on
                    ev.append(dict(action="resumption_approved", day=verified_on, actor=inspector, frm="", to="",
                                   comment="现场审查合格，同意恢复生产"))
                record["application"] = app
            if status == "verified":
                if not suspended:
                    self.reinspections[number].append(dict(on=verified_on - timedelta(days=1), passed=True,
                                                           by=inspector, opinion="现场复查，治理措施落实到位"))
                    ev.append(dict(action="reinspection", day=verified_on - timedelta(days=1), actor=inspector,
                                   frm="", to="", comment="现场复查，治理措施落实到位"))
                else:
                    self.reinspections[number].append(dict(on=verified_on, passed=True, by=inspector,
                                                           opinion="现场审查合格，同意恢复生产"))
                ev.append(dict(action="verify", day=verified_on, actor=self.district_user, frm="rectified",
                               to="verified", comment="重大隐患治理验收合格，予以销号"))
            self.extras[number] = record

    # --- deadline extensions on a few open general hazards ------------------------------------------
    def extensions_for_open(self) -> None:
        open_rows = [h for h in self.hazards if h["level"] == "general" and h["status"] == "rectifying"
                     and h["deadline"] >= self.today - timedelta(days=5)]
        for i, row in enumerate(open_rows[:6]):
            new = row["deadline"] + timedelta(days=self.rng.choice([10, 15, 20]))
            approved = i < 5
            self.extensions[row["number"]] = dict(
                requested_on=min(row["deadline"], self.today) - timedelta(days=1), old_deadline=row["deadline"],
                new_deadline=new, reason="整改所需设备尚未到货", status="approved" if approved else "pending",
                decided_on=min(row["deadline"], self.today) if approved else None,
                decision_comment="同意延期" if approved else "")
            if approved:
                row["deadline"] = new


@dataclass(frozen=True)
class _Inspection:
    pk: int
    date: date
    kind: str
    enterprise: Any


def load_demo(ctx: Any) -> int:
    from anjian.inspections.models import Inspection

    b = Builder(ctx)
    year = ctx.today.year
    enterprises = {e.pk: e for e in ctx.enterprises}
    rows = (Inspection.objects.filter(is_demo=True, date__gte=date(year, 1, 1), date__lte=ctx.today)
            .order_by("date", "enterprise__credit_code", "kind", "pk").values_list("pk", "date", "kind", "enterprise_id"))
    n = 0
    for pk, day, kind, enterprise_id in rows:
        if enterprise_id not in enterprises:
            continue
        insp = _Inspection(pk, day, kind, enterprises[enterprise_id])
        if insp.kind == "self":
            if b.rng.random() >= 0.05:
                continue
            count = 1
            reporter = b.enterprise_user.get(insp.enterprise.pk)
            source = "self_inspection"
        else:
            count = b.rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4])
            reporter = b.rng.choice(b.inspectors) if b.inspectors else None
            source = "tip_off" if insp.kind == "tipoff" else "supervision"
        for _ in range(count):
            n += 1
            b.general(n, insp.enterprise, insp.date, insp, reporter, source)
    b.majors(1)
    b.extensions_for_open()
    written = _write(ctx, b)
    written += _reports(ctx, b)
    written += _orders(ctx)
    return written


def _write(ctx: Any, b: Builder) -> int:
    hazards = ctx.upsert(Hazard, "number", b.hazards)
    ids = {number: h.pk for number, h in hazards.items()}
    has_events = set(HazardEvent.objects.filter(hazard_id__in=ids.values()).values_list("hazard_id", flat=True)
                     .distinct())
    new_events = []
    for number, events in b.events.items():
        hid = ids[number]
        if hid in has_events:
            continue
        for i, e in enumerate(events):
            new_events.append(HazardEvent(
                hazard_id=hid, actor=e.get("actor"), at=_at(e["day"], 9 + min(i, 8), 0), action=e["action"],
                from_status=e["frm"], to_status=e["to"], comment=e.get("comment", ""),
                evidence=e.get("evidence", ""), data=e.get("data", {})))
    HazardEvent.objects.bulk_create(new_events, batch_size=1000)
    written = ctx.audit_created(new_events) if new_events else 0
    has_re = set(Reinspection.objects.filter(hazard_id__in=ids.values()).values_list("hazard_id", flat=True)
                 .distinct())
    new_re = [Reinspection(hazard_id=ids[number], inspected_on=r["on"], passed=r["passed"], opinion=r["opinion"],
                           inspectors=str(r["by"] or ""), recorded_by=r["by"])
              for number, rs in b.reinspections.items() if ids[number] not in has_re for r in rs]
    Reinspection.objects.bulk_create(new_re, batch_size=1000)
    written += ctx.audit_created(new_re) if new_re else 0
    # Major-hazard records.
    plans = [{"hazard_id": ids[number], **rec["plan"]} for number, rec in b.extras.items() if "plan" in rec]
    ctx.upsert(RemediationPlan, "hazard_id", plans)
    created: list[Any] = []
    with_reports = set(DoubleReport.objects.filter(hazard_id__in=ids.values()).values_list("hazard_id", flat=True))
    with_listing = set(SupervisionListing.objects.filter(hazard_id__in=ids.values()).values_list("hazard_id",
                                                                                                 flat=True))
    with_suspension = set(Suspension.objects.filter(hazard_id__in=ids.values()).values_list("hazard_id", flat=True))
    departments = ctx.departments
    for number, rec in b.extras.items():
        hid = ids[number]
        enterprise = rec["enterprise"]
        if "double" in rec and hid not in with_reports:
            dept_codes = ctx.department_codes.get(enterprise.pk, ())
            dept = departments.get(dept_codes[0]) if dept_codes else departments.get("ajj")
            for kind, day in rec["double"]:
                created.append(DoubleReport.objects.create(
                    hazard_id=hid, kind=kind, reported_on=min(day, ctx.today),
                    department=dept if kind == "department" else None,
                    recipient=str(dept) if kind == "department" else "公司职工代表大会",
                    summary="报告重大事故隐患现状、治理方案及进展"))
        if "listing" in rec and hid not in with_listing:
            created.append(SupervisionListing.objects.create(hazard_id=hid, **rec["listing"]))
        if "suspension" in rec and hid not in with_suspension:
            s = Suspension.objects.create(hazard_id=hid, **rec["suspension"])
            created.append(s)
            if "application" in rec:
                app = dict(rec["application"])
                app["review_due"] = rules.resumption_review_due(app["applied_on"])
                created.append(ResumptionApplication.objects.create(suspension=s, **app))
    has_ext = set(DeadlineExtension.objects.filter(hazard_id__in=ids.values()).values_list("hazard_id", flat=True))
    for number, ext in b.extensions.items():
        if ids[number] not in has_ext:
            created.append(DeadlineExtension.objects.create(
                hazard_id=ids[number], requested_by=b.enterprise_user.get(hazards[number].enterprise_id),
                decided_by=b.district_user if ext["status"] == "approved" else None, **ext))
    return written + len(created)


def _reports(ctx: Any, b: Builder) -> int:
    """Quarterly statistics reports of the quarters already due: most on time, some late, some missing."""
    year = ctx.today.year
    due = [q for q in (1, 2, 3, 4) if rules.report_deadline(year, q) <= ctx.today]
    figures: dict[tuple[int, int], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for h in b.hazards:
        q = (h["found_on"].month - 1) // 3 + 1
        f = figures[(h["enterprise_id"], q)]
        if h["level"] == "general":
            f["general_found"] += 1
            f["general_rectified"] += h["status"] in ("rectified", "verified")
        else:
            f["major_found"] += 1
            f["major_closed"] += h["status"] == "verified"
            f["major_in_plan"] += h["status"] != "reported"
            f["major_listed"] += h["number"] in b.extras and "listing" in b.extras[h["number"]]
        f["funds"] += h["funds"] or 0
    existing = set(HazardReport.objects.filter(year=year, enterprise_id__in=[e.pk for e in ctx.enterprises])
                   .values_list("enterprise_id", "quarter"))
    rows = []
    for e in ctx.enterprises:
        for q in due:
            r = b.rng.random()
            if e.status == "closed" or r < 0.08:
                continue  # never filed
            deadline = rules.report_deadline(year, q)
            day = deadline + timedelta(days=b.rng.randint(1, 25)) if r < 0.18 else deadline - timedelta(
                days=b.rng.randint(0, 12))
            if (e.pk, q) in existing or day > ctx.today:
                continue
            f = figures.get((e.pk, q), {})
            rows.append(HazardReport(
                enterprise=e, year=year, quarter=q, status="submitted", submitted_at=_at(day, 16),
                principal=e.legal_representative or "", notes="本季度隐患排查治理情况正常",
                submitted_by=b.enterprise_user.get(e.pk),
                **{k: f.get(k, 0) for k in ("general_found", "general_rectified", "major_found", "major_closed",
                                            "major_in_plan", "major_listed", "funds")}))
    HazardReport.objects.bulk_create(rows, batch_size=1000)
    return ctx.audit_created(rows) if rows else 0


def _orders(ctx: Any) -> int:
    """Run the overdue job as it would have run ten days ago and today: orders, then escalations;
    answer half of the older town orders."""
    from .orders import answer_order
    from .overdue import run_overdue

    before = SupervisionOrder.objects.count()
    ten_days_ago = ctx.today - timedelta(days=10)
    if not SupervisionOrder.objects.filter(issued_at__gte=_at(ten_days_ago, 1, 10)).exists():
        # Only on the first load: running the job "in the past" after it ran "today" would close the
        # orders of hazards that were not yet overdue then.
        run_overdue(today=ten_days_ago, now=_at(ten_days_ago, 1, 10))
    run_overdue(today=ctx.today, now=_at(ctx.today, 1, 10))
    answers = json.loads(DATA.read_text(encoding="utf-8"))["answers"]
    written = SupervisionOrder.objects.count() - before
    for order in (SupervisionOrder.objects.filter(level="town", status="open", answered_at__isnull=True,
                                                  issued_at__lte=_at(ctx.today - timedelta(days=5)))
                  .order_by("number")):
        if order.pk % 2:
            continue
        user = ctx.users.get(f"town-{order.area_id}")
        if user is None:
            continue
        answer_order(actor=user, order=order, answer=answers[order.pk % len(answers)])
        SupervisionOrder.objects.filter(pk=order.pk).update(answered_at=_at(ctx.today - timedelta(days=2), 15))
        HazardEvent.objects.filter(hazard_id=order.hazard_id, action="order_answered").update(
            at=_at(ctx.today - timedelta(days=2), 15))
        written += 1
    return written
