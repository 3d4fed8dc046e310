"""Two-factor sign-in: an authenticator app (TOTP) with recovery codes, through django-otp.

- `policy`: who must have it (MEND_REQUIRE_2FA), and whether this request has it.
- `devices`: enrolling an authenticator, recovery codes, checking a code.
- `sign_in`: the step between the password (or single sign-on) and a signed-in session.
- `middleware`: keeps a session that still owes its second factor away from every other page.
- `views`: the code step of the sign-in and the enrolment page.
"""
