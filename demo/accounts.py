"""The demo accounts, in one list: the start banner of ``manage.py serve --demo-data`` prints
it and the README's "Demo accounts" table is checked against it (tests/core/test_demo_accounts).

The demo loaders (demo/courses.py, demo/certification.py, demo/quizzes.py …) create the users;
adding a demo account there means adding a row here, and then to the README.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    institution: str
    try_this: str


DEMO_PASSWORD = "demo"  # every demo account; set by the demo loaders, development data only

COUNTY = "Qingxi County People's Hospital"
EXPERT = "ZJPPH Ultrasound Centre (expert centre)"

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "trainee",
        "Trainee",
        COUNTY,
        "Follow the liver course, play a case, take the CEUS exam, add a scan to the logbook; "
        "under Consultations, ask the expert centre about a loop of the inbox and compare "
        "its answer with your reading",
    ),
    DemoAccount(
        "instructor",
        "Instructor",
        EXPERT,
        "Upload a DICOM cine loop, build a case, write a quiz, see its results; review the "
        "county hospital's case waiting under Reviews; claim and answer the urgent "
        "consultation in the Centre queue",
    ),
    DemoAccount(
        "county-instructor",
        "Instructor (the only one)",
        "Songyang County People's Hospital",
        "Send a case for review to the expert centre (its next-action bar), see it published",
    ),
    DemoAccount(
        "supervisor",
        "Instructor (supervisor)",
        COUNTY,
        "Sign off the logbook scans of the county's trainees (Sign-off in the menu)",
    ),
    DemoAccount(
        "director",
        "Programme director",
        COUNTY,
        "The cohort table, the programme and its requirements, issuing certificates; the "
        "Consultation report",
    ),
    DemoAccount(
        "admin",
        "Site administrator",
        "all institutions",
        "Review and publish cases, the Django admin",
    ),
    DemoAccount(
        "demo-trainee-1",
        "Trainee",
        COUNTY,
        "A valid certificate: its PDF, QR code and public verification page",
    ),
    DemoAccount(
        "demo-trainee-2",
        "Trainee",
        COUNTY,
        "An expired certificate and what renewal asks for",
    ),
)


def banner_lines(existing: set[str]) -> list[str]:
    """The banner's account table: the demo accounts present in the database, aligned."""
    rows = [a for a in DEMO_ACCOUNTS if a.username in existing]
    if not rows:
        return []
    width_user = max(len(a.username) for a in rows)
    width_role = max(len(a.role) for a in rows)
    width_inst = max(len(a.institution) for a in rows)
    lines = [f"  Demo accounts (password '{DEMO_PASSWORD}'):"]
    for a in rows:
        lines.append(
            f"    {a.username:<{width_user}}  {a.role:<{width_role}}  "
            f"{a.institution:<{width_inst}}  {a.try_this}"
        )
    return lines
