"""The providers' inbound webhooks (issue 26, "In", door 2), with payloads shaped as in django-anymail's own
tests (tests/test_{mailgun,postmark,sendgrid,amazon_ses}_inbound.py), addressed to a case of ours.

Each post goes through anymail's real view and its real checks (basic auth, Mailgun's HMAC signature).
"""

import base64
import hashlib
import hmac
import json

import pytest

from cases.conversation.addresses import reply_address
from cases.models import Message
from cases.tests.factories import RecoveryCaseFactory
from cases.tests.inbound_mail import REPLY_SHOWN, REPLY_TEXT, reply_to
from feedback.models import Feedback
from feedback.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SECRET = "mend-inbound:webhook-s3cret"
SIGNING_KEY = "key-mailgun-signing-test"
RETRIED_ID = "<CAEPk3R+4Zr@mail.example.org>"  # one message, however often the provider posts it


@pytest.fixture(autouse=True)
def configured(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


@pytest.fixture
def case(agent):
    customer = CustomerFactory(external_id="C-ANA", name="Ana Lopez", email="ana@example.com")
    return RecoveryCaseFactory(
        customer=customer, owner=agent, title="Parcel arrived crushed", apologized=True
    )


def basic_auth(secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def mailgun_signed(fields: dict, key: str = SIGNING_KEY) -> dict:
    """Mailgun's legacy (form) signature: HMAC-SHA256 of timestamp + token, as anymail's tests sign."""
    token, timestamp = "06c96bafc3f42a66b9edd546347a2fe18dc23461fe80dc52f0", "1461261330"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "token": token, "timestamp": timestamp, "signature": signature}


def postmark_payload(case) -> dict:
    return {
        "FromFull": {"Email": "ana@example.com", "Name": "Ana Lopez", "MailboxHash": ""},
        "ToFull": [{"Email": reply_address(case), "Name": "", "MailboxHash": ""}],
        "CcFull": [],
        "OriginalRecipient": reply_address(case),
        "Subject": f"Re: [{case.reference}] {case.title}",
        "MessageID": "22c74902-a0c1-4511-804f2-341342852c90",
        "Date": "Wed, 11 Oct 2017 18:31:04 -0700",
        "TextBody": REPLY_TEXT,
        "HtmlBody": "",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<ana@example.com>"},
            {"Name": "MIME-Version", "Value": "1.0"},
            {"Name": "Message-ID", "Value": "<CAEPk3R+4Zr@mail.example.org>"},
        ],
    }


def ses_notification(raw: bytes) -> tuple[dict, dict]:
    """An SNS notification of an SES receipt with the SNS action (UTF-8 content), and its headers."""
    ses_event = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2018-03-30T17:21:51.636Z",
            "source": "ana@example.com",
            "messageId": "jili9m351il3gkburn7o2f0u6788stij94c8ld01",
        },
        "receipt": {
            "recipients": ["support@example.com"],
            "spamVerdict": {"status": "PASS"},
            "action": {
                "type": "SNS",
                "topicArn": "arn:aws:sns:us-east-1:111111111111:SES_Inbound",
                "encoding": "UTF8",
            },
        },
        "content": raw.decode(),
    }
    sns = {
        "Type": "Notification",
        "MessageId": "8f6dee70-c885-558a-be7d-bd48bbf5335e",
        "TopicArn": "arn:aws:sns:us-east-1:111111111111:SES_Inbound",
        "Subject": "Amazon SES Email Receipt Notification",
        "Message": json.dumps(ses_event),
        "Timestamp": "2018-03-30T17:17:36.516Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE_SIGNATURE==",
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
        "HTTP_X_AMZ_SNS_MESSAGE_ID": sns["MessageId"],
        "HTTP_X_AMZ_SNS_TOPIC_ARN": sns["TopicArn"],
    }
    return sns, headers


def post(client, provider: str, case, **auth):
    if provider == "postmark":
        return client.post(
            "/inbound/email/postmark/",
            json.dumps(postmark_payload(case)),
            content_type="application/json",
            **auth,
        )
    if provider == "mailgun":
        fields = mailgun_signed(
            {"recipient": reply_address(case), "body-mime": reply_to(case, message_id=RETRIED_ID).decode()}
        )
        return client.post("/inbound/email/mailgun/", fields, **auth)
    if provider == "sendgrid":
        fields = {
            "email": reply_to(case, message_id=RETRIED_ID).decode(),
            "from": f"Ana Lopez <{case.customer.email}>",
            "to": reply_address(case),
            "subject": f"Re: [{case.reference}] {case.title}",
            "envelope": json.dumps({"to": [reply_address(case)], "from": case.customer.email}),
        }
        return client.post("/inbound/email/sendgrid/", fields, **auth)
    sns, headers = ses_notification(reply_to(case, message_id=RETRIED_ID))
    return client.post(
        "/inbound/email/amazon-ses/",
        json.dumps(sns),
        content_type="text/plain; charset=UTF-8",
        **headers,
        **auth,
    )


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")  # SendGrid's own warning
@pytest.mark.parametrize("provider", ["postmark", "mailgun", "sendgrid", "amazon-ses"])
def test_each_providers_inbound_post_lands_once_on_its_case_stripped(client, case, provider):
    auth = basic_auth()  # Mailgun's post carries it too (in the route's URL), besides its signature

    first = post(client, provider, case, **auth)
    retried = post(client, provider, case, **auth)  # the provider's retry of the same message

    assert first.status_code == retried.status_code == 200
    message = Message.objects.get(direction=Message.Direction.INBOUND)
    assert message.case == case and message.body == REPLY_SHOWN
    assert message.raw.name.endswith(".eml")


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
@pytest.mark.parametrize("provider", ["postmark", "sendgrid", "amazon-ses"])
def test_a_post_without_the_right_basic_auth_is_refused_and_stores_nothing(client, case, provider):
    wrong = post(client, provider, case, **basic_auth("mend-inbound:guess"))
    missing = post(client, provider, case)

    assert wrong.status_code == 400
    assert missing.status_code in (400, 401)  # Amazon SES's view asks for credentials: 401
    assert not Message.objects.exists() and not Feedback.objects.exists()


def test_a_mailgun_post_with_a_bad_signature_is_refused(client, case):
    fields = mailgun_signed({"body-mime": reply_to(case).decode()}, key="key-someone-else")

    response = client.post("/inbound/email/mailgun/", fields)

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_a_provider_without_its_secret_takes_nothing(client, case, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": [], "MAILGUN_WEBHOOK_SIGNING_KEY": ""}

    responses = [
        post(client, provider, case, **basic_auth()) for provider in ("postmark", "mailgun", "amazon-ses")
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    assert client.post("/inbound/email/nobody/", {}).status_code == 404
    assert not Message.objects.exists()


def test_a_refused_message_answers_200_so_the_provider_does_not_retry_it(client, case, settings):
    settings.MEND_INBOUND_MAX_MESSAGE_BYTES = 100

    response = post(client, "postmark", case, **basic_auth())

    assert response.status_code == 200
    assert response.text.startswith("refused: message of ")
    assert not Message.objects.exists()


def test_feedback_past_the_senders_hourly_limit_answers_429_for_a_retry(client, settings):
    settings.MEND_INBOUND_FEEDBACK_PER_HOUR = 0
    payload = {
        "FromFull": {"Email": "tom@example.com", "Name": "Tom", "MailboxHash": ""},
        "ToFull": [{"Email": "support@example.com", "Name": "", "MailboxHash": ""}],
        "Subject": "Hello",
        "TextBody": "Just saying hello.",
        "Headers": [{"Name": "Message-ID", "Value": "<hello@tom.example>"}],
    }

    response = client.post(
        "/inbound/email/postmark/", json.dumps(payload), content_type="application/json", **basic_auth()
    )

    assert response.status_code == 429
    assert not Feedback.objects.exists()
