"""Teams: agents grouped under a supervisor (a staff user); an agent is in at most one team.
Announcements, tool links, dashboards and QM read them; managers and admins change them."""
