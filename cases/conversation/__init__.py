"""The conversation with the customer: addresses, outbound messages and the thread on the case screen.

The inbound half (mail the customer sends back) lives in `cases.conversation.inbound`.
"""
