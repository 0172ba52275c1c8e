"""Demo courses, announcements and tool links. The courses are the real SCORM packages in
../shared/scorm/ (Rustici's Golf samples), when that folder is there next to the repository;
they are never copied into it."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from courses import announcements, importing, registrations, tool_links
from courses.builtin.package import import_qm_course
from courses.landing_models import EVERYONE, OPENING, TEAM
from portal.auth.models import AGENT, User, UserRole
from portal.extensions import db
from portal.teams.models import Team

SHARED_SCORM = Path(__file__).resolve().parents[2] / "shared" / "scorm"


def import_shared_packages(trainer) -> str:
    """Each package of SHARED_SCORM as a course imported by `trainer`, every demo agent
    registered to it (the agents' courses page then lists them); what was done, in words.
    Our own QM course comes first, whatever that folder holds (import_builtin_course)."""
    import_builtin_course(trainer)
    packages = sorted(SHARED_SCORM.glob("*.zip")) if SHARED_SCORM.is_dir() else []
    if not packages:
        return f"no demo courses: {SHARED_SCORM} has no SCORM packages"
    agents = list(db.session.scalars(select(User).join(UserRole).where(UserRole.role == AGENT)))
    for path in packages:
        course = importing.import_package(path, actor=trainer).course
        for agent in agents:
            registrations.register(course, agent)
    db.session.commit()
    return (f"{len(packages)} demo courses imported from {SHARED_SCORM}, "
            f"{len(agents)} agents registered to each")


def import_builtin_course(trainer) -> str:
    """Our own QM course (courses/builtin/, key QM_COURSE_KEY), imported by `trainer`; who
    takes it is for the learning paths to say, so nobody is registered here."""
    done = import_qm_course(actor=trainer)
    return f"the QM course '{done.version.course.key}' ({done.status})"


def post_news(author, team_name: str, opening) -> str:
    """Announcements (a pinned welcome, a success story, today's quote, one for a team, one
    for an opening's hires, one that has ended) and tool links; what was done, in words."""
    team = db.session.scalar(select(Team).where(Team.name == team_name))
    today = announcements.today()
    news = (
        ("news", "Welcome to the team!", WELCOME, EVERYONE, (-30, None), True),
        ("success", "A cancellation turned into a loyal customer", STORY,
         EVERYONE, (-2, None), False),
        ("quote", "Quote of the day", "*“The best way to find yourself is to lose yourself "
         "in the service of others.”* (Mahatma Gandhi)", EVERYONE, (0, 0), False),
        ("news", f"Team {team_name}: coaching hour moves to Thursday",
         "From next week our coaching hour is on **Thursday at 10:00**, same call link.",
         TEAM, (-1, 14), False),
        ("news", "Your headset and laptop are on their way",
         "Equipment for this opening's new hires ships this week. Check the tracking "
         "link in your email and tell your supervisor when it arrives.", OPENING,
         (-5, 20), False),
        ("news", "Holiday schedule sign-up (closed)",
         "Sign-up for the holiday schedule has closed.", EVERYONE, (-40, -10), False))
    for kind, title, body, audience, days, pinned in news:
        first, last = (today + timedelta(days=d) if d is not None else None for d in days)
        announcements.create(announcements.Fields(
            kind=kind, title=title, body=body, audience=audience,
            team_id=team.id if audience == TEAM else None,
            opening_id=opening.id if audience == OPENING else None,
            pinned=pinned, starts_on=first, ends_on=last), author)
    tools = TOOLS + ((f"{team_name} shift swaps", "https://shifts.example.com/",
                      "Swap shifts within your team.", team.id),)
    for title, url, description, team_id in tools:
        tool_links.save(None, title, url, description, team_id, author)
    return f"{len(news)} announcements (one ended) and {len(tools)} tool links"


WELCOME = ("We are glad you are here. Your first weeks are about **training**: start with the "
           "courses under *Today's assignments*.\n\n"
           "- Sign in every day and check the announcements\n"
           "- Your supervisor is your first contact for questions\n"
           "- The knowledge base answers most customer questions: https://kb.example.com")
STORY = ("Last week Grace took a call from a customer who wanted to cancel after a late delivery. "
         "She listened, apologised, rebooked the delivery for the next morning and added a "
         "voucher.\n\nThe customer stayed, and wrote to say thank you. **Well done, Grace!**")
TOOLS = (
    ("CRM", "https://crm.example.com", "Customer records, cases and notes.", None),
    ("Softphone", "https://phone.example.com", "Take and make calls; set your status.", None),
    ("Knowledge base", "https://kb.example.com", "Answers, policies and scripts.", None),
    ("Time clock", "https://time.example.com", "Clock in and out; request time off.", None),
)
