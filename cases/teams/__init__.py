"""Teams: who works which cases. Routing sends a new case to a team, assignment picks an agent inside
it, and scope decides which cases a person may see. While no team exists Mend is one shared pool."""
