from recovery.languages.models import AgentPreferences
from recovery.personal_data import holds_none

holds_none(AgentPreferences, why="an agent's chosen language and time zone; no customer's data")
