"""Demo data: realistic SYNTHETIC members (no real person's data) registered through the
real rules (:func:`.members.register_many`), for trying the app out and for benchmarks.

What the generated roster looks like: mostly new-employment-form workers of a Daxing
township (riders, couriers, drivers, sanitation workers) with the platforms they work for,
their stations, and fixed employers for some; a third born in Beijing, the rest in the
counties gig workers come from (Henan, Hebei, Shandong, Anhui, Sichuan ...). Each ID number
carries the region code its county had in the birth year (大兴 was 110224 until 2000 and is
110115 since 2001), so every number passes the ID check without a warning. Ages are 18-60,
join dates fall in the last three years, and the names include the polyphonic surnames
(单 曾 解 仇 区 朴 查), rare Extension-A characters (䶮) and Uyghur/Kazakh names with ``·``.

The same seed on the same starting database gives the same members (ID numbers, names,
phones, everything but the record UUIDs). ID numbers, phones and name+birth-date pairs
never repeat, also not against members already in the database, so no row is rejected as a
duplicate. Forms are made a chunk at a time: repeats within the chunk are caught in memory,
repeats of members already saved by asking the indexes about the whole chunk at once
(storage.demo_store), and a form that clashes is made anew. Nothing holds every member's
identity in memory (at 1,000,000 members the sets took over 500 MB). Each chunk is saved
in one transaction by :func:`.demo_save.save_chunk`: the rows ``register_member`` writes,
a table at a time.
"""

from __future__ import annotations

import datetime as _dt
import random
from bisect import bisect
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Callable, Sequence

from stdnum.cn import ric

from ..domain.idnumber import check_id
from ..domain.member import MemberInput
from ..domain.pinyin_keys import name_keys
from ..storage import demo_store
from ..storage.db import transaction
from . import demo_data as data
from .context import Context
from .demo_save import save_chunk
from .members import BulkResult, Cancelled
from .unions import add_union, list_unions

MIN_AGE, MAX_AGE = 18, 60
BULK_CACHE_MIB = 64  # page cache while generating (SQLite's default is 2 MB): memory stays under 300 MB at 1M
JOIN_WINDOW_DAYS = 3 * 365
# The first members show every edge case at a fixed rhythm, so even a 300-member demo has
# them; after that they come at natural rates (the polyphonic surnames by their weights).
SHOWCASE = 3000
_POLYPHONIC_EVERY = 41  # one polyphonic surname in every 41 members (all 7 within 287)
_RARE_EVERY, _RARE_RATE = 53, 0.001          # a rare given-name character
_DOT_NAME_EVERY, _DOT_NAME_RATE = 67, 0.003  # a Uyghur/Kazakh name with a middle dot


def _id_number(region: str, birth: _dt.date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def _in_use(number: str) -> bool:
    try:
        ric.get_birth_place(number)
    except Exception:  # noqa: BLE001 - stdnum raises several types for "not in use that year"
        return False
    return True


@lru_cache(maxsize=None)
def _codes_by_year(codes: tuple[str, ...], first: int, last: int) -> dict[int, tuple[str, ...]]:
    """For each birth year, the codes of ``codes`` the ID check accepts with no warning and
    that were in use that year (stdnum's year-aware look-up: the app's check names a code
    whatever the year, but a realistic number carries the code its county had then).
    Computed once per county (not per member)."""
    table: dict[int, tuple[str, ...]] = {}
    for year in range(first, last + 1):
        ok = []
        for code in codes:
            number = _id_number(code, _dt.date(year, 6, 15), 1)
            result = check_id(number, _dt.date(last + 1, 1, 1))
            if result.valid and not result.warnings and _in_use(number):
                ok.append(code)
        if ok:
            table[year] = tuple(ok)
    return table


@dataclass(frozen=True)
class _Place:
    label: str
    local: bool  # 本市 (Beijing) or 外埠
    codes: dict[int, tuple[str, ...]]


class _Weighted:
    """A fixed weighted choice (cumulative weights computed once)."""

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


class _Maker:
    """Makes one member form after another from one random stream."""

    def __init__(self, ctx: Context, seed: int, today: _dt.date):
        self.rng = random.Random(seed)
        self.today = today
        self.oldest = _add_years(today, -(MAX_AGE + 1)) + _dt.timedelta(days=1)
        self.youngest = _add_years(today, -MIN_AGE)
        first, last = self.oldest.year, self.youngest.year

        def place(label: str, codes: tuple[str, ...]) -> _Place:
            return _Place(label, label.startswith("北京市"), _codes_by_year(codes, first, last))

        self.beijing = _Weighted([(place(lbl, c), w) for lbl, w, c in data.BEIJING_PLACES])
        self.migrant = _Weighted([(place(lbl, c), w) for lbl, w, c in data.MIGRANT_PLACES])
        self.ethnic = {eth: [place(lbl, c) for lbl, c in rows] for eth, rows in data.ETHNIC_PLACES.items()}
        self.surnames = _Weighted(data.SURNAMES)
        self.minorities = _Weighted(data.MINORITY_WEIGHTS)
        self.occupations = _Weighted([(occ, spec[0]) for occ, spec in data.WORK.items()])
        self.platforms = {occ: _Weighted(spec[2]) for occ, spec in data.WORK.items() if spec[2]}
        self.education = _Weighted(data.EDUCATION_WEIGHTS)
        self.channels = _Weighted(data.JOIN_CHANNEL_WEIGHTS)
        self.home_union = ctx.home_union_id
        self.branch_of = _branch_unions(ctx)
        # what this chunk's forms use so far (the database is asked about the chunk as a whole)
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_name_birth: set[tuple[str, str]] = set()

    def forget(self) -> None:
        """Start a new chunk: what earlier chunks used is in the database by now."""
        self.used_ids.clear()
        self.used_phones.clear()
        self.used_name_birth.clear()

    # -- the person ---------------------------------------------------------------------
    def _birth(self, place: _Place) -> tuple[_dt.date, str]:
        span = (self.youngest - self.oldest).days
        while True:
            birth = self.oldest + _dt.timedelta(days=self.rng.randint(0, span))
            codes = place.codes.get(birth.year)
            if codes:
                return birth, self.rng.choice(codes)

    def _given(self, male: bool, rare: bool) -> str:
        own = data.MALE_CHARS if male else data.FEMALE_CHARS
        pool = own + own + data.SHARED_CHARS
        chars = [self.rng.choice(pool) for _ in range(1 if self.rng.random() < 0.3 else 2)]
        if rare:
            chars[-1] = self.rng.choice(data.RARE_CHARS)
        return "".join(chars)

    def _dot_name(self, male: bool) -> str:
        first = self.rng.choice(data.DOT_NAME_MALE if male else data.DOT_NAME_FEMALE)
        return f"{first}·{self.rng.choice(data.DOT_NAME_FATHER)}"

    def _edge_case(self, i: int, every: int, offset: int, rate: float) -> bool:
        return i % every == offset if i < SHOWCASE else self.rng.random() < rate

    def _identity(self, i: int, male: bool) -> tuple[str, str, _Place, _dt.date, str]:
        """(name, ethnicity, place, birth date, region code), unique by name + birth date."""
        rng = self.rng
        dot = self._edge_case(i, _DOT_NAME_EVERY, 17, _DOT_NAME_RATE)
        rare = self._edge_case(i, _RARE_EVERY, 11, _RARE_RATE)
        polyphonic = i < SHOWCASE and i % _POLYPHONIC_EVERY == 3
        if dot:
            ethnicity = rng.choice(("维吾尔族", "哈萨克族"))
        elif rng.random() < data.MINORITY_SHARE:
            ethnicity = self.minorities.pick(rng)
        else:
            ethnicity = "汉族"
        if ethnicity != "汉族" and (dot or rng.random() < 0.6):
            place = rng.choice(self.ethnic[ethnicity])
        else:
            place = (self.beijing if rng.random() < 0.3 else self.migrant).pick(rng)
        for attempt in range(1000):
            if dot:
                name = self._dot_name(male)
            else:
                if polyphonic and attempt < 50:
                    surname = data.POLYPHONIC_SURNAMES[(i // _POLYPHONIC_EVERY) % len(data.POLYPHONIC_SURNAMES)]
                elif ethnicity == "朝鲜族" and rng.random() < 0.5:
                    surname = rng.choice(("朴", "金", "崔", "李", "郑"))
                else:
                    surname = self.surnames.pick(rng)
                name = surname + self._given(male, rare)
            birth, code = self._birth(place)
            if (name, birth.isoformat()) not in self.used_name_birth:
                self.used_name_birth.add((name, birth.isoformat()))
                return name, ethnicity, place, birth, code
        raise RuntimeError("demo generator ran out of distinct names")  # a bug, not a user error

    def _id(self, code: str, birth: _dt.date, male: bool) -> str:
        while True:
            number = _id_number(code, birth, self.rng.randrange(500) * 2 + (1 if male else 0))
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _phone(self) -> str:
        while True:
            raw = self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if raw not in self.used_phones and _valid_mobile(raw):
                self.used_phones.add(raw)
                return raw

    # -- the work -------------------------------------------------------------------------
    def _work(self, occupation: str) -> dict[str, str]:
        rng = self.rng
        _, _, _, firm_kind, employer_share = data.WORK[occupation]
        platform = self.platforms[occupation].pick(rng) if occupation in self.platforms else ""
        if occupation in ("外卖配送员", "快递员"):
            area = rng.choice(data.STATIONS)
        elif occupation in ("网约车司机", "出租车司机", "货车司机"):
            area = rng.choice(data.DRIVER_AREAS)
        elif occupation == "环卫工人":
            area = rng.choice(data.STREETS)
        else:
            area = rng.choice(data.STREETS) if rng.random() < 0.5 else ""
        employer = ""
        if rng.random() < employer_share:
            if occupation == "快递员":
                employer = f"{data.COURIER_BRANCH[platform]}北京大兴{area.removesuffix('站')}网点"
            else:
                employer = f"北京{rng.choice(data.FIRM_WORDS)}{firm_kind}有限公司"
        title = ""
        if occupation in ("外卖配送员", "快递员") and rng.random() < 0.03:
            title = rng.choice(("站长", "队长"))
        return {"occupation": occupation, "platform": platform, "work_area": area,
                "employer": employer, "job_title": title}

    def member(self, i: int) -> MemberInput:
        rng = self.rng
        occupation = self.occupations.pick(rng)
        male = rng.random() < data.WORK[occupation][1]
        name, ethnicity, place, birth, code = self._identity(i, male)
        age = self.today.year - birth.year
        if place.local:
            household = "本市城镇" if rng.random() < 0.6 else "本市农村"
        else:
            household = "外埠农村" if rng.random() < 0.75 else "外埠城镇"
        roll = rng.random()
        political = "中共党员" if roll < 0.05 else ("共青团员" if age < 28 and roll < 0.35 else "群众")
        adult = _add_years(birth, MIN_AGE)
        join = max(self.today - _dt.timedelta(days=rng.randint(0, JOIN_WINDOW_DAYS)), adult)
        channel = self.channels.pick(rng)
        consent = "screen" if channel == "qr" or rng.random() < 0.3 else "paper"
        work = self._work(occupation)
        branch = self.branch_of.get(occupation, self.home_union)
        union = branch if rng.random() < 0.85 else self.home_union
        salary = "" if rng.random() < 0.4 else str(rng.randint(45, 130) * 100)
        return MemberInput(
            name=name, id_number=self._id(code, birth, male), phone=self._phone(), union_id=union,
            join_date=join, join_channel=channel, salary=salary, ethnicity=ethnicity,
            household_type=household, education=self.education.pick(rng), political_status=political,
            native_place=place.label, consent_method=consent, **work)


def _valid_mobile(raw: str) -> bool:
    """Whether phonenumbers takes the 11 digits as a valid mainland number: the rule
    validate_member applies (through normalise_phone, which also parses and formats; a
    generated number is digits only, so the validity check alone decides)."""
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=86, national_number=int(raw)))


def _add_years(day: _dt.date, years: int) -> _dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _branch_unions(ctx: Context) -> dict[str, str]:
    """The demo's branch unions under the laptop's union (created once, reused after)."""
    home = ctx.home_union_id
    existing = {(u.name, u.parent_id): u.id for u in list_unions(ctx)}
    routes: dict[str, str] = {}
    for name, kind, occupations in data.BRANCHES:
        union_id = existing.get((name, home)) or add_union(ctx, name, kind, home).id
        for occupation in occupations:
            routes[occupation] = union_id
    return routes


def _clashes(ctx: Context, forms: dict[int, MemberInput]) -> list[int]:
    """The indices of ``forms`` whose ID number, phone, or name + birth date a saved member has."""
    ids = demo_store.taken_id_numbers(ctx.db, [f.id_number for f in forms.values()])
    phones = demo_store.taken_phones(ctx.db, [f.phone for f in forms.values()])
    births = {i: _birth_of(f.id_number) for i, f in forms.items()}
    pairs = demo_store.taken_name_births(ctx.db, [(f.name, births[i]) for i, f in forms.items()])
    return [i for i, f in forms.items()
            if f.id_number in ids or f.phone in phones or (f.name, births[i]) in pairs]


def _birth_of(id_number: str) -> str:
    return f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"


def _forms(ctx: Context, maker: _Maker, start: int, stop: int) -> list[MemberInput]:
    """Forms ``start`` .. ``stop`` - 1, none repeating another or a saved member."""
    maker.forget()
    forms = {i: maker.member(i) for i in range(start, stop)}
    clashes = _clashes(ctx, forms)
    while clashes:  # rare: made anew (the maker's sets keep them apart from the rest of the chunk)
        again = {i: maker.member(i) for i in clashes}
        forms.update(again)
        clashes = _clashes(ctx, again)
    return [forms[i] for i in range(start, stop)]


def demo_inputs(ctx: Context, n: int, *, seed: int = 2026, today: _dt.date | None = None) -> list[MemberInput]:
    """The forms :func:`generate_members` would register (creates the branch unions)."""
    maker = _Maker(ctx, seed, today or ctx.today())
    return _forms(ctx, maker, 0, n)


def generate_members(ctx: Context, n: int, *, seed: int = 2026,
                     progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None, chunk: int = 2000,
                     today: _dt.date | None = None) -> BulkResult:
    """Register ``n`` synthetic members, ``chunk`` at a time, each chunk one transaction.

    A cancel keeps exactly the chunks already committed: it is asked before each chunk and
    once more after a chunk is written, before its commit (then that chunk is rolled back).
    The returned result lists what was saved (indices of rejected rows count from 0 over all
    ``n``). Forms are made chunk by chunk, so 1,000,000 members never sit in memory at once."""
    today = today or ctx.today()
    maker = _Maker(ctx, seed, today)
    result = BulkResult()
    with demo_store.bulk_cache(ctx.db, BULK_CACHE_MIB):
        for start in range(0, n, chunk):
            if cancel is not None and cancel():
                break
            stop = min(start + chunk, n)
            try:
                with transaction(ctx.db):
                    saved, rejected = save_chunk(ctx, _forms(ctx, maker, start, stop), today, offset=start)
                    if progress is not None:
                        progress(stop, n)
                    if cancel is not None and cancel():
                        raise Cancelled()
            except Cancelled:
                break
            result.saved.extend(saved)
            result.rejected.extend(rejected)
            name_keys.cache_clear()  # a million distinct names would keep ~100 MB of keys cached
    return result
