"""The demo district as plain data: what ``anjian demo`` writes, computed without a database.

``build_plan()`` reads ``data/*.json`` and returns a :class:`Plan`. Everything
is drawn from random streams seeded by name (``rng_for(seed, "enterprises")``
...), so the plan is the same on every machine and every run; the loader then
upserts it by natural keys (area code, department code, credit code, username).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from anjian.enterprises.validators import ALPHABET, check_character

from . import geometry
from .seeding import DemoRandom, rng_for

DATA = Path(__file__).parent / "data"
SECTORS = Path(__file__).resolve().parent.parent / "territory" / "data" / "sectors.json"


def read(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: int
    parent_code: str | None
    geometry: dict[str, Any] | None = None
    kind: str = ""  # towns: urban (街道) / rural (镇)
    roads: tuple[str, ...] = ()
    centre: tuple[float, float] | None = None  # communities: where their enterprises cluster


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    short_name: str
    is_safety_authority: bool
    sectors: tuple[str, ...]
    sort_order: int


@dataclass(frozen=True)
class EnterpriseSpec:
    credit_code: str
    name: str
    address: str
    area_code: str
    sectors: tuple[str, ...]  # the first is the main sector
    departments: tuple[str, ...]
    above_scale: bool
    key_enterprise: bool
    employees: int
    legal_representative: str
    safety_manager: str
    safety_manager_phone: str
    latitude: Decimal
    longitude: Decimal
    status: str
    standardisation_grade: str

    def fields(self) -> dict[str, Any]:
        """The concrete model fields (by attname), for the upsert."""
        return {
            "credit_code": self.credit_code, "name": self.name, "address": self.address,
            "area_id": self.area_code, "above_scale": self.above_scale, "key_enterprise": self.key_enterprise,
            "employees": self.employees, "legal_representative": self.legal_representative,
            "safety_manager": self.safety_manager, "safety_manager_phone": self.safety_manager_phone,
            "latitude": self.latitude, "longitude": self.longitude, "status": self.status,
            "standardisation_grade": self.standardisation_grade, "is_demo": True,
        }


@dataclass(frozen=True)
class RoleSpec:
    role: str
    area_code: str | None = None
    department_code: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class AccountSpec:
    username: str
    full_name: str
    roles: tuple[RoleSpec, ...]
    phone: str = ""


@dataclass
class Plan:
    seed: int | str
    today: str
    password: str
    district: AreaSpec
    towns: list[AreaSpec]
    communities: list[AreaSpec]
    departments: list[DepartmentSpec]
    enterprises: list[EnterpriseSpec]
    accounts: list[AccountSpec]
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def areas(self) -> list[AreaSpec]:
        return [self.district, *self.towns, *self.communities]


# -- sectors ------------------------------------------------------------------------------------


@cache
def sector_parents() -> dict[str, str | None]:
    """{sector code: parent code} of the catalogue (anjian/territory/data/sectors.json)."""
    parents: dict[str, str | None] = {}

    def walk(items: list[dict[str, Any]], parent: str | None) -> None:
        for item in items:
            parents[item["code"]] = parent
            walk(item.get("children", []), item["code"])

    walk(json.loads(SECTORS.read_text(encoding="utf-8"))["sectors"], None)
    return parents


def sector_lineage(code: str) -> list[str]:
    """The sector and its ancestors, nearest first."""
    parents = sector_parents()
    chain = [code]
    while parents.get(chain[-1]):
        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
    return chain


def supervising_departments(sectors: tuple[str, ...], departments: list[DepartmentSpec]) -> tuple[str, ...]:
    """Departments supervising any of the sectors (directly or through a parent sector), in department
    order; the safety authority when no other department does."""
    lineage = {s for code in sectors for s in sector_lineage(code)}
    found = tuple(d.code for d in departments if lineage.intersection(d.sectors))
    if not found:
        found = tuple(d.code for d in departments if d.is_safety_authority)
    return found


# -- territory ----------------------------------------------------------------------------------


def build_territory(spec: dict[str, Any]) -> tuple[AreaSpec, list[AreaSpec], list[AreaSpec]]:
    outline, polygons = geometry.district_geometry(spec)
    district = AreaSpec(spec["district"]["code"], spec["district"]["name"], 3, None, outline)
    towns, communities = [], []
    rng = rng_for(spec["seed"], "communities")
    for t in spec["towns"]:
        town = AreaSpec(t["code"], t["name"], 4, district.code, polygons[t["code"]], t["kind"], tuple(t["roads"]))
        towns.append(town)
        ring = geometry.exterior(town.geometry)  # type: ignore[arg-type]
        centres: list[tuple[float, float]] = []
        for suffix, name in t["communities"]:
            centre = _spread_point(ring, centres, rng)
            centres.append(centre)
            communities.append(AreaSpec(t["code"][:9] + suffix, name, 5, town.code, None, t["kind"],
                                        tuple(t["roads"]), centre))
    return district, towns, communities


def _spread_point(ring: geometry.Ring, taken: list[tuple[float, float]], rng: DemoRandom) -> tuple[float, float]:
    """Mitchell's best candidate: of 40 random points inside the ring, the farthest from the others and
    from the border."""
    best, best_score = None, -1.0
    for _ in range(40):
        lng, lat = geometry.point_inside(ring, rng)
        score = min([geometry.distance_to_boundary(ring, lng, lat) * 1.5]
                    + [math.hypot(lng - x, lat - y) for x, y in taken])
        if score > best_score:
            best, best_score = (lng, lat), score
    return best  # type: ignore[return-value]


# -- people -------------------------------------------------------------------------------------


class People:
    def __init__(self, words: dict[str, Any], rng: DemoRandom) -> None:
        self.surnames = [(s, w) for s, w in words["surnames"]]
        self.given = words["given"]
        self.mobile = words["mobile_prefixes"]
        self.rng = rng

    def name(self) -> str:
        return self.rng.weighted(self.surnames) + self.rng.choice(self.given)

    def phone(self) -> str:
        return self.rng.choice(self.mobile) + f"{self.rng.randrange(10**8):08d}"


# -- enterprises --------------------------------------------------------------------------------


def credit_code(prefix: str, serial: int) -> str:
    """A valid GB 32100-2015 code: ``prefix`` + ``serial`` in base 31 + the check character."""
    width = 17 - len(prefix)
    digits = []
    for _ in range(width):
        serial, d = divmod(serial, 31)
        digits.append(ALPHABET[d])
    body = prefix + "".join(reversed(digits))
    return body + check_character(body)


def _strip_place(name: str) -> str:
    for suffix in ("社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def build_enterprises(spec: dict[str, Any], towns: list[AreaSpec], communities: list[AreaSpec],
                      departments: list[DepartmentSpec]) -> list[EnterpriseSpec]:
    config, words = read("enterprises.json"), read("words.json")
    rng = rng_for(spec["seed"], "enterprises")
    people = People(words, rng_for(spec["seed"], "people"))
    rings = {t.code: geometry.exterior(t.geometry) for t in towns}  # type: ignore[arg-type]
    by_town: dict[str, list[AreaSpec]] = {t.code: [c for c in communities if c.parent_code == t.code] for t in towns}
    names: set[str] = set()
    codes: set[str] = set()
    counters: dict[str, int] = {}
    result: list[EnterpriseSpec] = []
    for profile in config["profiles"]:
        sector = profile["sector"]
        if profile.get("towns"):
            town_choices = [(t, 1.0) for t in towns if t.code in profile["towns"]]
        else:
            weights = config["town_weights"][profile.get("where", "any")]
            town_choices = [(t, float(weights[t.kind])) for t in towns]
        # [template, weight, org kind(, median headcount)]
        templates = [(t[0], t[1], t[2], t[3] if len(t) > 3 else None)
                     for t in profile.get("templates") or config["default_templates"]]
        forms = [tuple(f) for f in profile.get("forms") or config["default_forms"]]
        median, sigma, cap = profile["employees"]
        for _ in range(profile["count"]):
            town = rng.weighted(town_choices)
            community = rng.choice(by_town[town.code])
            # Name: retry until unique (templates without a placeholder can be used once).
            for _attempt in range(200):
                template, _weight, org, template_median = rng.weighted([(t, t[1]) for t in templates])
                place = rng.choice([_strip_place(community.name), *town.roads])
                counters.setdefault(template, 0)
                name = template.format(
                    region=rng.weighted(words["regions"]), brand=rng.choice(words["brands"]),
                    word=rng.choice(profile.get("words", [""])), form=rng.weighted(forms), place=place,
                    n=["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
                       "十五", "十六", "十七", "十八", "十九", "二十"][counters[template] % 20],
                )
                if name not in names:
                    if "{n}" in template:
                        counters[template] += 1
                    break
            else:  # pragma: no cover - the word lists are large enough
                raise RuntimeError(f"could not find a free enterprise name for sector {sector}")
            names.add(name)
            prefix = config["org_prefixes"][org]
            while True:
                code = credit_code(prefix, rng.randrange(31 ** (17 - len(prefix))))
                if code not in codes:
                    codes.add(code)
                    break
            if template_median:  # a kind of its own size: narrower spread
                employees = max(1, round(math.exp(rng.gauss(math.log(template_median), 0.25))))
            else:
                employees = max(1, min(cap, round(math.exp(rng.gauss(math.log(median), sigma)))))
            if org == "individual":
                employees = min(employees, 30)
            sectors = [sector]
            for other, rate in profile.get("secondary", []):
                if rng.random() < rate:
                    sectors.append(other)
                    break
            scale = config["scale"]
            above = bool(profile.get("scale")) and (
                employees >= scale["above_if_employees_at_least"]
                or (employees >= scale["maybe_if_employees_at_least"] and rng.random() < scale["maybe_rate"])
            ) and org != "individual"
            key = rng.random() < profile["key_rate"] or employees >= config["key"]["always_if_employees_at_least"]
            status = rng.weighted(profile.get("status") or config["status"])
            rule = profile.get("standardisation") or ("above_scale" if above else "small")
            if rule == "required" and not above and org == "individual":
                rule = "small"
            grade = rng.weighted(config["standardisation"][rule])
            lng, lat = _point_near(rings[town.code], community.centre, rng)  # type: ignore[arg-type]
            legal = people.name()
            manager = legal if org == "individual" or rng.random() < 0.15 else people.name()
            if community.code[9] == "2":  # a village: 村 + 组
                address = f"示范区{town.name}{community.name}{rng.randint(1, 12)}组"
            else:
                address = f"示范区{town.name}{rng.choice(town.roads)}{rng.randint(1, 320)}号({community.name})"
            result.append(EnterpriseSpec(
                credit_code=code, name=name, address=address, area_code=community.code,
                sectors=tuple(sectors), departments=supervising_departments(tuple(sectors), departments),
                above_scale=above, key_enterprise=key, employees=employees, legal_representative=legal,
                safety_manager=manager, safety_manager_phone=people.phone(),
                latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lng:.6f}"), status=status,
                standardisation_grade=grade,
            ))
    result.sort(key=lambda e: e.credit_code)
    return result


def _point_near(ring: geometry.Ring, centre: tuple[float, float], rng: DemoRandom) -> tuple[float, float]:
    """A point around the community centre (Gaussian, ~500 m), inside the town."""
    for _ in range(50):
        lng = round(rng.gauss(centre[0], 0.006), 6)
        lat = round(rng.gauss(centre[1], 0.005), 6)
        if geometry.contains(ring, lng, lat):
            return lng, lat
    return centre


# -- departments and accounts -------------------------------------------------------------------


def build_departments() -> list[DepartmentSpec]:
    return [
        DepartmentSpec(d["code"], d["name"], d["short_name"], bool(d.get("is_safety_authority")),
                       tuple(d["sectors"]), order)
        for order, d in enumerate(read("departments.json")["departments"], start=1)
    ]


def build_accounts(spec: dict[str, Any], towns: list[AreaSpec], departments: list[DepartmentSpec],
                   enterprises: list[EnterpriseSpec]) -> tuple[str, list[AccountSpec]]:
    config = read("accounts.json")
    people = People(read("words.json"), rng_for(spec["seed"], "accounts"))
    district = spec["district"]["code"]
    accounts = []
    for fixed in config["fixed"]:
        roles = tuple(
            RoleSpec(r["role"], area_code=district if r.get("area") == "district" else r.get("area"))
            for r in fixed["roles"]
        )
        accounts.append(AccountSpec(fixed["username"], fixed["full_name"], roles, people.phone()))
    for d in departments:
        accounts.append(AccountSpec(f"dept-{d.code}", people.name(), (RoleSpec("department", department_code=d.code),),
                                    people.phone()))
    for t in towns:
        accounts.append(AccountSpec(f"town-{t.code}", people.name(), (RoleSpec("town", area_code=t.code),),
                                    people.phone()))
    for n, inspector in enumerate(config["inspectors"], start=1):
        role = RoleSpec("inspector", area_code=inspector.get("area"), department_code=inspector.get("department"))
        accounts.append(AccountSpec(f"inspector-{n}", people.name(), (role,), people.phone()))
    for town_code, sector in config["enterprise_accounts"]:
        candidates = [e for e in enterprises
                      if e.area_code.startswith(town_code[:9]) and e.sectors[0] == sector and e.status == "operating"]
        if not candidates:
            raise ValueError(f"accounts.json: no operating enterprise of sector {sector} in town {town_code}")
        ent = candidates[0]  # the lowest credit code: stable
        accounts.append(AccountSpec(f"ent-{ent.credit_code}", ent.safety_manager,
                                    (RoleSpec("enterprise", credit_code=ent.credit_code),), ent.safety_manager_phone))
    return config["password"], accounts


def build_plan() -> Plan:
    spec = read("district.json")
    district, towns, communities = build_territory(spec)
    departments = build_departments()
    enterprises = build_enterprises(spec, towns, communities, departments)
    password, accounts = build_accounts(spec, towns, departments, enterprises)
    return Plan(spec["seed"], spec["today"], password, district, towns, communities, departments, enterprises,
                accounts)


__all__ = ["AccountSpec", "AreaSpec", "DepartmentSpec", "EnterpriseSpec", "Plan", "RoleSpec", "build_plan",
           "credit_code", "sector_lineage", "supervising_departments"]
