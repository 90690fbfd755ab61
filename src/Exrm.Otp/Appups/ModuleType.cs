namespace Exrm.Otp.Appups;

/// <summary>An updated module's type (OTP-SPEC §1.4, <c>static | dynamic</c>): static modules are code-changed after loading on downgrade.</summary>
public enum ModuleType
{
    Dynamic,
    Static,
}
