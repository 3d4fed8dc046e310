"""The feedback widget: a script any web page can carry, its keys, and the public endpoint it posts to.

- `keys`: widget keys and the origins each may post from (the rules, once);
- `intake`: a widget post turned into ordinary intake (`feedback.intake`: same triage, same idempotency);
- `cors`: django-cors-headers asks here whether an origin may call the widget endpoint;
- `api`: the managers' key endpoints and the public widget endpoint, thin over the services;
- `demo`: in DEBUG, a page with the widget on it.
"""
