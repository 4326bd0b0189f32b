"""Field-work targets: the policy of indicators (``policy``), the weeks they are counted over (``periods``)
and how a figure meets its target (``status``). Pure: the SQL is in server/store/queries/targets.py."""
