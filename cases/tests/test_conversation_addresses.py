import pytest

from cases.conversation.addresses import case_for_reply_address, new_message_id, reply_address
from cases.tests.factories import RecoveryCaseFactory

pytestmark = pytest.mark.django_db


def test_reply_address_finds_its_case_even_lowercased_or_uppercased(settings):
    settings.MEND_REPLY_DOMAIN = "reply.example.com"
    case = RecoveryCaseFactory()
    address = reply_address(case)
    assert address.startswith("reply+") and address.endswith("@reply.example.com")
    assert address == address.lower()
    assert case_for_reply_address(address) == case
    assert case_for_reply_address(address.upper()) == case
    assert case_for_reply_address(f"<{address}>") == case


def test_a_forged_or_foreign_reply_address_finds_nothing(settings):
    settings.MEND_REPLY_DOMAIN = "reply.example.com"
    case, other = RecoveryCaseFactory(), RecoveryCaseFactory()
    address = reply_address(case)
    local, domain = address.split("@")
    token_case, mac = local.removeprefix("reply+").split("-")
    forged_mac = ("a" if mac[0] != "a" else "b") + mac[1:]
    other_token = reply_address(other).split("@")[0].removeprefix("reply+").split("-")[0]
    assert case_for_reply_address(f"reply+{token_case}-{forged_mac}@{domain}") is None
    assert case_for_reply_address(f"reply+{other_token}-{mac}@{domain}") is None  # another case, this MAC
    assert case_for_reply_address(f"{local}@elsewhere.example.com") is None
    assert case_for_reply_address("ana@example.com") is None
    assert case_for_reply_address("") is None
    settings.SECRET_KEY = "another-key-" * 4
    assert case_for_reply_address(address) is None  # signed with the project's key


def test_message_ids_are_unique_and_name_the_case(settings):
    settings.MEND_REPLY_DOMAIN = "reply.example.com"
    case = RecoveryCaseFactory()
    first, second = new_message_id(case), new_message_id(case)
    assert first != second
    assert first.startswith(f"<mend.{case.reference}.") and first.endswith("@reply.example.com>")
