"""Pure rules: plain values in, plain values out. No flask, sqlalchemy or boto3
(tests/unit/test_domain_is_pure.py enforces it)."""
