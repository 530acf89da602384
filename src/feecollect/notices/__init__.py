"""Payment notices (缴款通知书): priced by the quote engine, identified by a payment code."""
