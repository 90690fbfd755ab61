namespace Exrm.Testing;

/// <summary>The OTP oracle could not answer: erl is missing, the Erlang code failed, or it timed out.</summary>
public sealed class OtpException(string message) : Exception(message);
