"""The demo logins that `seed_demo` creates. Plain data, so the sign-in page can list them in DEBUG
without importing the demo generator (and Faker with it)."""

from dataclasses import dataclass

from recovery.roles import Role


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role | None  # None: the superuser
    first_name: str


DEMO_LOGINS = (
    DemoLogin("agent", "agent-demo-pw", Role.AGENT, "Alice"),
    DemoLogin("agent2", "agent2-demo-pw", Role.AGENT, "Bob"),
    DemoLogin("manager", "manager-demo-pw", Role.MANAGER, "Maria"),
    DemoLogin("admin", "admin-demo-pw", None, "Ada"),
)
