"""Mend in the agent's and the customer's language.

`services` holds the rules: which languages Mend speaks, what a BCP 47 tag is, which language a customer
is written to in (`customer_language`, `speaking`), and an agent's own preferences. `detect` guesses the
language of an inbound email; `middleware` turns on the agent's language and time zone per request.
"""
