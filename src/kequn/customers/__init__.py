"""The customer 360 view and customer search."""

from kequn.customers.view import classify_query, customer_360, search_customers

__all__ = ["classify_query", "customer_360", "search_customers"]
