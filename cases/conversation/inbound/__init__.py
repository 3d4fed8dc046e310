"""The customer's email coming back: onto its case, or in as new feedback.

Three doors (`receive_email` for an MTA pipe, the providers' webhooks in `webhooks`, IMAP polling in
`imap`) hand raw RFC 5322 bytes to one pipeline (`pipeline.receive`), which decides and stores.
"""
