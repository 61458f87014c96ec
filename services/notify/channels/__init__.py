"""The channels a message can go by, behind one adapter interface (`base.Adapter`): SMS
through Tencent Cloud's SDK, e-mail over SMTP, the 12345 hotline's signed callback, and the
development adapter that keeps what it 'sends' in the service's own database."""
