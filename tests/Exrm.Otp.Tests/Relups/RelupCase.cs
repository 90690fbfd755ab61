using System.Collections.Immutable;

namespace Exrm.Otp.Tests.Relups;

/// <summary>
/// One generated relup scenario: the files to write under the case directory (<c>lib/&lt;app&gt;-&lt;vsn&gt;/ebin/*.app</c>,
/// <c>*.appup</c>, <c>rel/*.rel</c>), and make_relup's arguments as .rel stems relative to it.
/// </summary>
/// <param name="AnyOrder">The DepMods graphs may admit several orders, which OTP picks by hash order: compare groups as sets.</param>
/// <param name="Label">What the case is and how it was made (seed, index, injected fault), for failure messages.</param>
internal sealed record RelupCase(
    string Label,
    ImmutableArray<(string Path, ErlangTerm Term)> Files,
    string Top,
    ImmutableArray<string> UpFrom,
    ImmutableArray<string> DownTo,
    bool AnyOrder);
