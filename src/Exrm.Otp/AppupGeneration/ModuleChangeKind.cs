namespace Exrm.Otp.AppupGeneration;

/// <summary>How a module differs between two versions of an application.</summary>
public enum ModuleChangeKind
{
    Added,
    Changed,
    Deleted,
}
