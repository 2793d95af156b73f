"""Demo data for Sachsen-Anhalt: Magdeburg, Halle (Saale) and a tour in the Burgenlandkreis.

`load_demo()` may run any number of times: what exists already is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from flask import current_app

from consult.database import commit
from consult.days import Hours, add_session, create_series
from consult.demo_conferences import add_conference
from consult.demo_families import add_family
from consult.demo_history import add_history
from consult.demo_information import fill_practical_information
from consult.demo_mediators import add_mediators
from consult.demo_today import add_today
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    Session,
    StaffUser,
    Topic,
    Tour,
    TourStatus,
    TourStop,
    Visit,
    today_in,
)
from consult.passwords import hash_password
from consult.recurrence import Frequency, build_rule
from consult.slots import Break, local_to_utc
from consult.statistics.folding import refresh
from consult.visits import BookingRequest, Contact, book_visit
from consult.waitlist import join_waitlist

DEMO_PASSWORD = "consult-demo-2026"

AGENCIES = [
    ("jobcenter", "Jobcenter", "Jobcenter", "#1f6f8b"),
    ("agentur", "Agentur für Arbeit", "Arbeitsagentur", "#b5462f"),
    ("abh", "Ausländerbehörde", "Ausländerbehörde", "#5a4a8c"),
    ("mbe", "Migrationsberatung für Erwachsene", "MBE", "#2f7d4a"),
    ("jmd", "Jugendmigrationsdienst", "JMD", "#8c6d1f"),
    ("iq", "IQ Anerkennungsberatung", "IQ Anerkennung", "#8c2f6a"),
    ("ihk", "Industrie- und Handelskammer", "IHK", "#3b5b92"),
    ("hwk", "Handwerkskammer", "HWK", "#6b4f2a"),
]

# slug, icon, phase, minutes, agencies, names {lang: (name, one-line explanation)}
TOPICS: list[tuple[str, str, int, int, tuple[str, ...], dict[str, tuple[str, str]]]] = [
    (
        "residence", "🪪", 1, 20, ("abh", "mbe", "jmd"),
        {
            "de": ("Frage zu meinem Aufenthaltstitel", "Visum, Aufenthaltserlaubnis, Verlängerung, Familie"),
            "en": ("Question about my residence permit", "Visa, residence permit, extension, family"),
            "ar": ("سؤال عن تصريح إقامتي", "التأشيرة، تصريح الإقامة، التمديد، العائلة"),
            "fa": ("سؤال درباره اجازه اقامتم", "ویزا، اجازه اقامت، تمدید، خانواده"),
            "uk": ("Питання щодо мого дозволу на проживання", "Віза, дозвіл на проживання, продовження, сім'я"),
            "ru": ("Вопрос о моём виде на жительство", "Виза, вид на жительство, продление, семья"),
            "tr": ("Oturma iznimle ilgili bir soru", "Vize, oturma izni, uzatma, aile"),
        },
    ),
    (
        "orientation", "🧭", 1, 30, ("mbe", "jmd"),
        {
            "de": ("Erste Orientierung nach der Ankunft", "Wohnung, Ämter, Gesundheit, Kinder und Schule"),
            "en": ("First steps after arriving", "Housing, offices, health, children and school"),
            "ar": ("الخطوات الأولى بعد الوصول", "السكن، الدوائر الرسمية، الصحة، الأطفال والمدرسة"),
            "fa": ("اولین قدم‌ها پس از ورود", "مسکن، ادارات، سلامت، کودکان و مدرسه"),
            "uk": ("Перші кроки після приїзду", "Житло, установи, здоров'я, діти та школа"),
            "ru": ("Первые шаги после приезда", "Жильё, учреждения, здоровье, дети и школа"),
            "tr": ("Geldikten sonra ilk adımlar", "Konut, resmi daireler, sağlık, çocuklar ve okul"),
        },
    ),
    (
        "benefits", "💶", 1, 20, ("jobcenter",),
        {
            "de": ("Geld vom Jobcenter", "Bürgergeld beantragen, Bescheide verstehen"),
            "en": ("Money from the Jobcenter", "Apply for basic income, understand letters"),
            "ar": ("المال من مركز العمل (Jobcenter)", "طلب الإعانة الأساسية، فهم الرسائل"),
            "fa": ("پول از جاب‌سنتر", "درخواست کمک‌هزینه پایه، فهمیدن نامه‌ها"),
            "uk": ("Гроші від Jobcenter", "Подати заяву на базову допомогу, зрозуміти листи"),
            "ru": ("Деньги от Jobcenter", "Подать заявление на пособие, понять письма"),
            "tr": ("Jobcenter'dan para", "Temel gelir başvurusu, mektupları anlamak"),
        },
    ),
    (
        "recognition", "🎓", 2, 30, ("iq", "ihk", "hwk"),
        {
            "de": ("Ausländischen Abschluss anerkennen lassen", "Beruf, Studium oder Ausbildung aus dem Ausland"),
            "en": ("Have my foreign qualification recognised", "A profession, degree or training from abroad"),
            "ar": ("الاعتراف بشهادتي الأجنبية", "مهنة أو دراسة جامعية أو تدريب من الخارج"),
            "fa": ("به رسمیت شناختن مدرک خارجی‌ام", "حرفه، تحصیلات یا آموزش از خارج"),
            "uk": ("Визнати мою іноземну кваліфікацію", "Професія, диплом або навчання за кордоном"),
            "ru": ("Признать мой иностранный диплом", "Профессия, высшее или профессиональное образование"),
            "tr": ("Yabancı diplomamı tanıtmak", "Yurt dışından meslek, üniversite veya eğitim"),
        },
    ),
    (
        "career", "🧑‍💼", 2, 30, ("agentur", "jmd"),
        {
            "de": ("Berufsberatung", "Welcher Beruf passt zu mir? Wie komme ich dahin?"),
            "en": ("Career advice", "Which job suits me? How do I get there?"),
            "ar": ("الإرشاد المهني", "أي مهنة تناسبني؟ وكيف أصل إليها؟"),
            "fa": ("مشاوره شغلی", "چه شغلی برای من مناسب است؟ چطور به آن برسم؟"),
            "uk": ("Профорієнтація", "Яка професія мені підходить? Як до неї дійти?"),
            "ru": ("Профориентация", "Какая профессия мне подходит? Как к ней прийти?"),
            "tr": ("Meslek danışmanlığı", "Hangi meslek bana uygun? Oraya nasıl ulaşırım?"),
        },
    ),
    (
        "german", "🗣️", 3, 20, ("mbe", "jmd", "jobcenter"),
        {
            "de": ("Deutschkurs", "Integrationskurs, Berufssprachkurs, Kinderbetreuung"),
            "en": ("German course", "Integration course, job-related German, childcare"),
            "ar": ("دورة اللغة الألمانية", "دورة الاندماج، الألمانية المهنية، رعاية الأطفال"),
            "fa": ("کلاس زبان آلمانی", "دوره ادغام، آلمانی شغلی، نگهداری از کودک"),
            "uk": ("Курс німецької мови", "Інтеграційний курс, професійна німецька, догляд за дітьми"),
            "ru": ("Курс немецкого языка", "Интеграционный курс, профессиональный немецкий, присмотр за детьми"),
            "tr": ("Almanca kursu", "Uyum kursu, mesleki Almanca, çocuk bakımı"),
        },
    ),
    (
        "training", "🛠️", 3, 30, ("agentur", "ihk", "hwk"),
        {
            "de": ("Ausbildung oder Weiterbildung", "Eine Ausbildung beginnen oder dazulernen"),
            "en": ("Training or further education", "Start vocational training or learn more"),
            "ar": ("التدريب المهني أو التعليم المستمر", "بدء تدريب مهني أو تعلم المزيد"),
            "fa": ("کارآموزی یا آموزش تکمیلی", "شروع آموزش حرفه‌ای یا یادگیری بیشتر"),
            "uk": ("Професійне навчання або підвищення кваліфікації", "Почати навчання або навчитися більшого"),
            "ru": ("Профобучение или повышение квалификации", "Начать обучение или узнать больше"),
            "tr": ("Meslek eğitimi veya ileri eğitim", "Meslek eğitimine başlamak veya daha fazla öğrenmek"),
        },
    ),
    (
        "work", "💼", 4, 30, ("jobcenter", "agentur"),
        {
            "de": ("Arbeit oder Ausbildungsplatz finden", "Stellen suchen, Bewerbung, Vorstellungsgespräch"),
            "en": ("Find work or training", "Job search, applications, interviews"),
            "ar": ("إيجاد عمل أو مكان تدريب", "البحث عن وظيفة، طلبات التوظيف، المقابلات"),
            "fa": ("پیدا کردن کار یا جای کارآموزی", "جستجوی کار، درخواست، مصاحبه"),
            "uk": ("Знайти роботу або місце навчання", "Пошук роботи, заявки, співбесіди"),
            "ru": ("Найти работу или место обучения", "Поиск работы, заявления, собеседования"),
            "tr": ("İş veya eğitim yeri bulmak", "İş arama, başvuru, mülakat"),
        },
    ),
    (
        "work-permit", "📄", 4, 20, ("abh",),
        {
            "de": ("Erlaubnis zum Arbeiten", "Darf ich arbeiten? Beschäftigungserlaubnis"),
            "en": ("Permission to work", "Am I allowed to work? Work permit"),
            "ar": ("إذن العمل", "هل يُسمح لي بالعمل؟ تصريح العمل"),
            "fa": ("اجازه کار", "آیا اجازه کار دارم؟ مجوز کار"),
            "uk": ("Дозвіл на роботу", "Чи можу я працювати? Дозвіл на працевлаштування"),
            "ru": ("Разрешение на работу", "Могу ли я работать? Разрешение на работу"),
            "tr": ("Çalışma izni", "Çalışabilir miyim? Çalışma izni"),
        },
    ),
    (
        "business", "🏪", 4, 30, ("ihk", "hwk"),
        {
            "de": ("Eigenes Geschäft gründen", "Selbstständig werden, Gewerbe anmelden"),
            "en": ("Start my own business", "Become self-employed, register a business"),
            "ar": ("تأسيس عملي الخاص", "العمل الحر، تسجيل نشاط تجاري"),
            "fa": ("راه‌اندازی کسب‌وکار خودم", "خوداشتغالی، ثبت کسب‌وکار"),
            "uk": ("Відкрити власну справу", "Стати підприємцем, зареєструвати бізнес"),
            "ru": ("Открыть своё дело", "Стать предпринимателем, зарегистрировать бизнес"),
            "tr": ("Kendi işimi kurmak", "Serbest çalışmak, işletme kaydı"),
        },
    ),
    (
        "rights-at-work", "⚖️", 5, 20, ("mbe",),
        {
            "de": ("Probleme bei der Arbeit", "Lohn, Vertrag, Kündigung – meine Rechte"),
            "en": ("Problems at work", "Pay, contract, dismissal – my rights"),
            "ar": ("مشاكل في العمل", "الأجر، العقد، الفصل – حقوقي"),
            "fa": ("مشکلات در محل کار", "دستمزد، قرارداد، اخراج – حقوق من"),
            "uk": ("Проблеми на роботі", "Зарплата, договір, звільнення – мої права"),
            "ru": ("Проблемы на работе", "Зарплата, договор, увольнение – мои права"),
            "tr": ("İşte sorunlar", "Ücret, sözleşme, işten çıkarma – haklarım"),
        },
    ),
    (
        "advancement", "📈", 5, 30, ("agentur", "iq"),
        {
            "de": ("Beruflich weiterkommen", "Anpassungsqualifizierung, Aufstieg, Wechsel"),
            "en": ("Move on in my job", "Bridging courses, promotion, changing jobs"),
            "ar": ("التقدم في عملي", "دورات التأهيل التكميلي، الترقية، تغيير العمل"),
            "fa": ("پیشرفت در شغلم", "دوره‌های تطبیقی، ارتقا، تغییر شغل"),
            "uk": ("Розвиток у професії", "Адаптаційні курси, підвищення, зміна роботи"),
            "ru": ("Профессиональный рост", "Адаптационные курсы, повышение, смена работы"),
            "tr": ("İşimde ilerlemek", "Uyum kursları, terfi, iş değişikliği"),
        },
    ),
]  # fmt: skip

LOCATIONS = [
    # slug, name, street, postcode, town, lat, lon
    (
        "magdeburg",
        "Haus der Integration",
        "Breiter Weg 35",
        "39104",
        "Magdeburg",
        52.1244,
        11.6352,
    ),
    ("halle", "Stadthaus am Markt", "Marktplatz 2", "06108", "Halle (Saale)", 51.4826, 11.9697),
    ("zeitz", "Rathaus Zeitz, Bürgersaal", "Altmarkt 1", "06712", "Zeitz", 51.0478, 12.1383),
    (
        "weissenfels",
        "Kulturhaus Weißenfels",
        "Merseburger Straße 14",
        "06667",
        "Weißenfels",
        51.2003,
        11.9686,
    ),
    (
        "naumburg",
        "Kreisverwaltung Burgenlandkreis",
        "Schönburger Straße 41",
        "06618",
        "Naumburg (Saale)",
        51.1490,
        11.8060,
    ),
]

# agency slug -> (desks, rooms, languages, interpreter)
JOINT_HOURS = {
    "jobcenter": (2, ("1.01", "1.02"), ("de", "en", "ar"), False),
    "agentur": (1, ("1.03",), ("de", "en", "uk"), False),
    "abh": (2, ("2.01", "2.02"), ("de", "en"), True),
    "mbe": (2, ("0.11", "0.12"), ("de", "ar", "fa", "ru", "uk"), False),
    "jmd": (1, ("0.13",), ("de", "en", "ar", "fa", "tr"), False),
    "iq": (1, ("2.05",), ("de", "en", "ru", "uk"), False),
    "ihk": (1, ("2.06",), ("de", "en"), False),
    "hwk": (1, ("2.07",), ("de", "tr"), False),
}
MAGDEBURG_AGENCIES = ("jobcenter", "agentur", "abh", "mbe", "iq", "ihk")
HALLE_AGENCIES = ("jobcenter", "abh", "mbe", "jmd", "iq", "hwk")


@dataclass(frozen=True)
class DemoStaff:
    email: str
    name: str
    role: str
    agency: str | None = None
    locations: tuple[str, ...] = ()
    note: str = ""


DEMO_STAFF = [
    DemoStaff("admin@example.org", "Ada Admin", "admin", note="administrator"),
    DemoStaff("koordination@example.org", "Katrin Koordination", "coordinator", note="coordinator"),
    DemoStaff(
        "empfang.magdeburg@example.org",
        "Emil Empfang",
        "frontdesk",
        locations=("magdeburg",),
        note="front desk Magdeburg",
    ),
    DemoStaff(
        "empfang.halle@example.org",
        "Hanna Empfang",
        "frontdesk",
        locations=("halle",),
        note="front desk Halle (Saale)",
    ),
    DemoStaff("jobcenter@example.org", "Jonas Jobcenter", "advisor", "jobcenter", note="Jobcenter"),
    DemoStaff("abh@example.org", "Aylin Behörde", "advisor", "abh", note="Ausländerbehörde"),
    DemoStaff(
        "mbe@example.org", "Mira Mobil", "advisor", "mbe", note="MBE, mobile tour Burgenlandkreis"
    ),
    DemoStaff("iq@example.org", "Igor Anerkennung", "advisor", "iq", note="IQ Anerkennung"),
]

# Waiting-list wishes from towns without an office, shown on the tour planner.
DEMO_WAITLIST = [
    # town, name, language, phone (made up), topics
    ("Hohenmölsen", "Nadia", "ar", "+49 151 23456781", ("residence", "german")),
    ("Hohenmölsen", "Taras", "uk", "+49 151 23456782", ("orientation",)),
    ("Zeitz", "Mehmet", "tr", "+49 151 23456783", ("rights-at-work",)),
]

DEMO_VISITS = [
    # location, nth joint day, name, language, [(agency, local start, topic)]
    ("magdeburg", 0, "Amina", "ar", [("abh", "09:00", "residence"), ("jobcenter", "09:40", "benefits")]),
    ("magdeburg", 0, "Oleksandr", "uk", [("iq", "10:00", "recognition"), ("agentur", "11:00", "career")]),
    ("magdeburg", 1, "Reza", "fa", [("mbe", "09:20", "orientation")]),
    ("halle", 0, "Elif", "tr", [("hwk", "09:00", "business"), ("jmd", "10:00", "orientation")]),
]  # fmt: skip


# Past visits the demo adds for the statistics: a year of a busy place, not of a city.
HISTORY_VISITS = 6000


def _upsert_reference_data() -> dict[str, dict[str, object]]:
    agencies = {a.slug: a for a in db.session.scalars(sa.select(Agency))}
    for slug, name, short, color in AGENCIES:
        if slug not in agencies:
            agencies[slug] = Agency(slug=slug, name=name, short_name=short, color=color)
            db.session.add(agencies[slug])
    topics = {t.slug: t for t in db.session.scalars(sa.select(Topic))}
    for position, (slug, icon, phase, minutes, served_by, texts) in enumerate(TOPICS):
        if slug not in topics:
            topics[slug] = Topic(
                slug=slug,
                icon=icon,
                phase=phase,
                default_minutes=minutes,
                position=position,
                names={lang: text[0] for lang, text in texts.items()},
                explanations={lang: text[1] for lang, text in texts.items()},
                agencies=[agencies[a] for a in served_by],
            )
            db.session.add(topics[slug])
    locations = {loc.slug: loc for loc in db.session.scalars(sa.select(Location))}
    for slug, name, street, postcode, town, lat, lon in LOCATIONS:
        if slug not in locations:
            locations[slug] = Location(
                slug=slug,
                name=name,
                street=street,
                postcode=postcode,
                town=town,
                latitude=lat,
                longitude=lon,
            )
            db.session.add(locations[slug])
    fill_practical_information(locations, agencies, topics)
    db.session.flush()
    return {"agencies": agencies, "topics": topics, "locations": locations}


def _upsert_staff(agencies: dict, locations: dict) -> dict[str, StaffUser]:
    staff = {u.email: u for u in db.session.scalars(sa.select(StaffUser))}
    for spec in DEMO_STAFF:
        if spec.email not in staff:
            staff[spec.email] = StaffUser(
                email=spec.email,
                name=spec.name,
                role=Role(spec.role),
                agency=agencies[spec.agency] if spec.agency else None,
                locations=[locations[slug] for slug in spec.locations],
                password_hash=hash_password(DEMO_PASSWORD),
            )
            db.session.add(staff[spec.email])
    db.session.flush()
    return staff


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _joint_days(
    location: Location, agency_slugs: tuple[str, ...], rule: str, first: date, refs: dict
) -> None:
    agencies, topics = refs["agencies"], refs["topics"]
    series = create_series(
        location,
        rule,
        first,
        first + timedelta(weeks=8),
        kind=DayKind.JOINT,
        title=f"Gemeinsamer Sprechtag {location.town}",
        invited=[agencies[s] for s in agency_slugs],
        publish=True,
    )
    db.session.add(series)
    for day in series.days:
        for slug in agency_slugs:
            desks, rooms, languages, interpreter = JOINT_HOURS[slug]
            hours = Hours(
                starts=time(9, 0),
                ends=time(15, 0),
                slot_minutes=20,
                desks=desks,
                breaks=(Break(time(12, 0), time(12, 40)),),
                rooms=rooms,
                languages=languages,
                interpreter=interpreter,
            )
            agency = agencies[slug]
            served = [t for t in topics.values() if agency in t.agencies]
            add_session(day, agency, hours, served)


def _tour(refs: dict, staff: dict[str, StaffUser], start: date) -> None:
    agencies, topics, locations = refs["agencies"], refs["topics"], refs["locations"]
    advisor = staff["mbe@example.org"]
    tour = Tour(
        agency=agencies["mbe"],
        advisor=advisor,
        title="Mobile Beratung Burgenlandkreis",
        status=TourStatus.PUBLISHED,
    )
    served = [t for t in topics.values() if agencies["mbe"] in t.agencies]
    # The first day has two stops, so the tour page shows a drive between them.
    stops = [
        ("zeitz", 0, time(9, 30)),
        ("weissenfels", 0, time(14, 0)),
        ("weissenfels", 1, time(10, 0)),
        ("naumburg", 2, time(9, 0)),
    ]
    for position, (slug, offset, starts) in enumerate(stops):
        day = ConsultationDay(
            location=locations[slug],
            date=start + timedelta(days=offset),
            kind=DayKind.MOBILE,
            status=DayStatus.PUBLISHED,
            title=f"Mobile Beratung {locations[slug].town}",
        )
        ends = time(starts.hour + 3, starts.minute)
        hours = Hours(starts, ends, 30, 1, (), ("Bürgersaal",), ("de", "ar", "fa", "ru"), True)
        add_session(day, agencies["mbe"], hours, served, advisor=advisor)
        tour.stops.append(TourStop(day=day, position=position))
    db.session.add(tour)


def _book_demo_visits(locations: dict, topics: dict[str, Topic]) -> int:
    booked = 0
    for slug, nth, name, language, wishes in DEMO_VISITS:
        days = db.session.scalars(
            sa.select(ConsultationDay)
            .where(
                ConsultationDay.location_id == locations[slug].id,
                ConsultationDay.kind == DayKind.JOINT,
            )
            .order_by(ConsultationDay.date)
        ).all()
        day = days[nth]
        appointments = []
        for agency_slug, clock, topic_slug in wishes:
            session = next(s for s in day.sessions if s.agency.slug == agency_slug)
            hour, minute = (int(part) for part in clock.split(":"))
            start = local_to_utc(day.date, time(hour, minute), day.location.timezone)
            first = next(i for i, slot in enumerate(session.slots) if slot.starts_dt == start)
            # As many slots as the topic needs, as the planner would offer.
            count = -(-topics[topic_slug].default_minutes // session.slot_minutes)
            slot_ids = tuple(slot.id for slot in session.slots[first : first + count])
            appointments.append(_Wish(session.id, slot_ids))
        topic_ids = [topics[topic_slug].id for _, _, topic_slug in wishes]
        book_visit(
            BookingRequest(day.id, appointments, Contact(name=name, language=language), topic_ids)
        )
        booked += 1
    return booked


@dataclass(frozen=True)
class _Wish:
    session_id: int
    slot_ids: tuple[int, ...]


def load_demo(today: date | None = None, history: int = HISTORY_VISITS) -> str:
    """Create the demo data that is missing, with `history` past visits; a one-line summary.

    The series start after `today` (by default today in the configured zone); a joint day
    in Magdeburg today, with people at the desk, is added whenever it is missing.
    """
    today = today or today_in(current_app.config["CONSULT_TIMEZONE"])
    refs = _upsert_reference_data()
    staff = _upsert_staff(refs["agencies"], refs["locations"])
    locations = refs["locations"]
    has_days = db.session.scalar(sa.select(sa.func.count(ConsultationDay.id))) > 0
    visits = 0
    if not has_days:
        tuesday, thursday = _next_weekday(today, 1), _next_weekday(today, 3)
        weekly_tuesday = build_rule(Frequency.WEEKLY, weekday=1)
        every_other_thursday = build_rule(Frequency.WEEKLY, weekday=3, interval=2)
        _joint_days(locations["magdeburg"], MAGDEBURG_AGENCIES, weekly_tuesday, tuesday, refs)
        _joint_days(locations["halle"], HALLE_AGENCIES, every_other_thursday, thursday, refs)
        _tour(refs, staff, _next_weekday(today, 1) + timedelta(weeks=1))
        commit()
        visits = _book_demo_visits(locations, refs["topics"])
        add_conference(staff["jobcenter@example.org"])  # Jobcenter and ABH about Amina's case
        visits += add_family(locations["magdeburg"], refs["topics"])
        for town, name, language, phone, slugs in DEMO_WAITLIST:
            topics = [refs["topics"][slug] for slug in slugs]
            join_waitlist(topics, Contact(name=name, phone=phone, language=language), town=town)
        if history:
            # A year behind the demo days for the statistics, folded now so that the
            # dashboard's first request does not have to.
            add_history(today, visits=history)
            refresh()
    commit()
    # Also when the demo was loaded on an earlier day: the front desk has a day to show.
    busy = add_today(locations["magdeburg"], MAGDEBURG_AGENCIES, JOINT_HOURS, refs)
    visits += add_mediators(DEMO_PASSWORD, today)
    commit()
    visits += len(busy.visits) if busy is not None else 0
    counts = {
        "agencies": Agency,
        "topics": Topic,
        "locations": Location,
        "days": ConsultationDay,
        "sessions": Session,
        "visits": Visit,
        "staff": StaffUser,
    }
    parts = [
        f"{db.session.scalar(sa.select(sa.func.count()).select_from(model))} {label}"
        for label, model in counts.items()
    ]
    created = "created" if not has_days else "already present"
    return f"Demo data {created} ({visits} visits booked now): " + ", ".join(parts)
