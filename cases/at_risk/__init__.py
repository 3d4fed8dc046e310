"""Customers at risk of leaving: the score (`formula`, pure), where it is kept (`models`), and its
refresh in the transaction of each event that moves it (`services`)."""
