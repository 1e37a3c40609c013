"""What an operator watches: logs with request ids, Prometheus metrics, readiness."""
