"""What the demo customers complained about, and how the demo agents answered."""

from cases.models import RootCause

# (touchpoint, title, complaint, resolution, root cause key)
PROBLEMS = (
    (
        "delivery",
        "Parcel arrived four days late",
        "My order was promised for Tuesday and came on "
        "Saturday. Nobody told me about the delay and I missed my daughter's birthday.",
        "Refunded the delivery fee and sent a voucher for the next order.",
        "carrier",
    ),
    (
        "delivery",
        "Package delivered damaged",
        "The box was crushed and the glass inside was broken. "
        "The driver left it at the door without ringing.",
        "Sent a replacement by express courier.",
        "carrier",
    ),
    (
        "checkout",
        "Charged twice at checkout",
        "I was charged twice for the same order. Please give me my money back, this is really annoying.",
        "Refunded the duplicate charge.",
        "payments",
    ),
    (
        "checkout",
        "Discount code refused",
        "The discount code from your newsletter did not work and the chat could not help.",
        "Applied the discount manually and refunded the difference.",
        "promo",
    ),
    (
        "billing",
        "Invoice shows wrong amount",
        "My invoice is 40 EUR higher than the price I agreed on the phone. Terrible experience.",
        "Corrected the invoice and waived this month's fee.",
        "payments",
    ),
    (
        "support call",
        "Waited 50 minutes on the phone",
        "I waited almost an hour on hold and then the call was dropped. Awful.",
        "Called back, solved the question and apologised for the wait.",
        "staffing",
    ),
    (
        "support call",
        "Agent was rude",
        "The person I spoke to was rude and hung up on me. I will never recommend you.",
        "Manager called the customer back; coaching for the team.",
        "staffing",
    ),
    (
        "mobile app",
        "App crashes at payment",
        "Your app crashes every time I try to pay. Tried three times, lost my basket each time.",
        "Order placed by phone; the crash fix ships next week.",
        "app",
    ),
    (
        "account login",
        "Locked out of my account",
        "I cannot log in since the update and the reset email never arrives.",
        "Unlocked the account and fixed the email address on file.",
        "app",
    ),
    (
        "returns",
        "Refund not received after return",
        "I returned the jacket a month ago and still have no refund. Nobody answers my emails.",
        "Refunded the jacket and added a goodwill voucher.",
        "returns",
    ),
    (
        "store visit",
        "No staff available in store",
        "Nobody was at the counter for 20 minutes on Saturday. Really disappointing.",
        "Apologised and sent a discount for the next visit.",
        "staffing",
    ),
    (
        "subscription",
        "Cancelled subscription still billed",
        "I cancelled in March and you still charge me every month. This is unacceptable.",
        "Stopped billing and refunded three months.",
        "payments",
    ),
    (
        "installation",
        "Technician did not show up",
        "I took a day off work and the technician never came. No call, nothing.",
        "Booked a priority visit and waived the installation fee.",
        "partner",
    ),
)

ROOT_CAUSES = {
    "carrier": (
        "Regional carrier misses delivery slots",
        RootCause.Category.PARTNER,
        RootCause.Status.FIXING,
        "Move the northern region to the second carrier; weekly slot report.",
    ),
    "payments": (
        "Payment retries create duplicate charges",
        RootCause.Category.TECHNOLOGY,
        RootCause.Status.FIXED,
        "Idempotency keys on the payment provider calls.",
    ),
    "staffing": (
        "Too few agents on weekend shifts",
        RootCause.Category.PEOPLE,
        RootCause.Status.INVESTIGATING,
        "",
    ),
    "app": (
        "App release 5.2 broke payment and login",
        RootCause.Category.PRODUCT,
        RootCause.Status.VERIFIED,
        "Roll back the SDK upgrade; add payment to the release smoke test.",
    ),
    "returns": (
        "Returns warehouse books refunds weekly",
        RootCause.Category.PROCESS,
        RootCause.Status.OPEN,
        "",
    ),
    "promo": (
        "Newsletter codes expire before the newsletter is sent",
        RootCause.Category.POLICY,
        RootCause.Status.OPEN,
        "",
    ),
    "partner": (
        "Installation partner overbooks technicians",
        RootCause.Category.PARTNER,
        RootCause.Status.INVESTIGATING,
        "Daily capacity call with the partner.",
    ),
}

APOLOGIES = (
    "Called the customer and apologised: we let them down and we own it.",
    "Apology email sent, personally signed; no excuses, we take responsibility.",
    "Apologised by phone and promised to keep them updated every day until it is fixed.",
)
FOLLOW_UPS = (
    ("Customer is happy with how we handled it and will order again.", 5),
    ("Customer satisfied; mentioned the quick reply.", 4),
    ("Problem solved but the customer is still a bit annoyed about the wait.", 3),
)
PRAISE = (
    "Great service, fast delivery, thank you!",
    "Very friendly staff in the store.",
    "The app is easy to use.",
    "Everything arrived as promised.",
    "Okay experience, nothing special.",
)

# (kind, name, body) of the demo's response templates; the placeholders are filled in per case.
RESPONSE_TEMPLATES = (
    (
        "acknowledgement",
        "We are on it",
        "Dear {customer_name},\n\nThank you for telling us. Your case {reference} is with me now; I will "
        "write again as soon as I know more.\n\n{agent_name}",
    ),
    (
        "apology",
        "Sincere apology",
        "Dear {customer_name},\n\nI am sorry: we let you down, and that is on us, not on you. I have taken "
        "your case ({reference}) personally and will see it through.\n\n{agent_name}",
    ),
    (
        "apology",
        "Late delivery",
        "Dear {customer_name}, I am sorry your order came late. You planned around our promise and we broke "
        "it. {agent_name}",
    ),
    (
        "resolution",
        "Refund issued",
        "Refunded in full to the original payment method; it shows within 3 working days. Case {reference}.",
    ),
    (
        "follow_up",
        "All good now",
        "Called {customer_name}: the fix held and they were pleased we checked back.",
    ),
)
