namespace Exrm.Otp;

/// <summary>
/// One thing wrong with a release's inputs, as data: what is wrong (<see cref="Message"/>, naming the
/// application and the file), and what to do about it (<see cref="Fix"/>). Build steps collect every
/// problem they find and report them together in a <see cref="ReleaseException"/>.
/// </summary>
/// <param name="Subject">The application, file or setting the problem is about, e.g. <c>"app foo"</c>.</param>
/// <param name="Message">What is wrong, in one sentence that names the application and the file.</param>
/// <param name="Fix">What the user can do about it, or null when the message says it all.</param>
public sealed record ReleaseProblem(string Subject, string Message, string? Fix = null)
{
    public override string ToString() => Fix is null ? Message : $"{Message}\n  {Fix}";
}
