using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Exrm.Erlang.ExternalFormat;
using Exrm.Erlang.Terms;

namespace Exrm.Testing;

/// <summary>
/// Asks the real OTP: runs Erlang code in one <c>erl</c> VM and brings its answer back as a term.
/// Tests batch their cases into one call, so a whole suite starts only a few VMs.
/// </summary>
public static class Otp
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Compiles <paramref name="moduleBody"/> (Erlang function definitions, which must define <c>run/1</c>;
    /// the <c>-module</c> line is added here and every function is exported), calls <c>run(Input)</c> in a fresh VM and
    /// returns what it returned. Input and output travel as External Term Format files.
    /// </summary>
    /// <exception cref="OtpException">erl is missing, the module does not compile, run/1 raised, or the deadline passed.</exception>
    public static ErlangTerm Run(string moduleBody, ErlangTerm input, TimeSpan? timeout = null) =>
        Call(moduleBody, "run", input, timeout ?? DefaultTimeout);

    /// <summary>
    /// Runs a batch of inputs through <paramref name="moduleBody"/>'s <c>run/1</c> in one VM, one result per input.
    /// <paramref name="emulatorFlags"/> are added to erl's command line, e.g. <c>+pc unicode</c>.
    /// </summary>
    public static IReadOnlyList<ErlangTerm> RunEach(string moduleBody, IEnumerable<ErlangTerm> inputs, TimeSpan? timeout = null, IReadOnlyList<string>? emulatorFlags = null)
    {
        var body = moduleBody + "\nexrm_run_each(Inputs) -> [run(I) || I <- Inputs].\n";
        var result = Call(body, "exrm_run_each", Term.List(inputs), timeout ?? DefaultTimeout, emulatorFlags ?? []);
        return ((ErlangList)result).Elements;
    }

    private static ErlangTerm Call(string moduleBody, string entry, ErlangTerm input, TimeSpan timeout, IReadOnlyList<string>? emulatorFlags = null)
    {
        var erl = OtpInstallation.FindProgram("erl") ?? throw new OtpException(OtpInstallation.MissingErlMessage);
        var module = "exrm_oracle_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(moduleBody)))[..16];
        var dir = Directory.CreateTempSubdirectory("exrm-oracle-").FullName;
        try
        {
            var source = Path.Combine(dir, module + ".erl");
            var inputFile = Path.Combine(dir, "input.etf");
            var outputFile = Path.Combine(dir, "output.etf");
            File.WriteAllText(source, $"-module({module}).\n-compile([export_all, nowarn_export_all]).\n{moduleBody}\n");
            File.WriteAllBytes(inputFile, Etf.Encode(input));

            var (exitCode, output) = RunErl(erl, DriverExpression(source, entry, inputFile, outputFile), timeout, emulatorFlags ?? []);
            if (exitCode != 0 || !File.Exists(outputFile))
            {
                throw new OtpException($"erl exited with code {exitCode}:\n{output}");
            }

            return Etf.Decode(File.ReadAllBytes(outputFile), outputFile);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Compiles in the VM itself (no separate erlc start), runs, writes the answer; any failure prints
    // the reason and exits non-zero.
    private static string DriverExpression(string source, string entry, string inputFile, string outputFile) =>
        $$"""
        try
            {ok, Mod, Bin} = compile:file({{Quote(source)}}, [binary, return_errors, report_errors, report_warnings, nowarn_unused_function]),
            {module, Mod} = code:load_binary(Mod, {{Quote(source)}}, Bin),
            {ok, In} = file:read_file({{Quote(inputFile)}}),
            Out = Mod:{{entry}}(binary_to_term(In)),
            ok = file:write_file({{Quote(outputFile)}}, term_to_binary(Out)),
            halt(0)
        catch Class:Reason:Stack ->
            io:format(standard_error, "~p:~tp~n~tp~n", [Class, Reason, Stack]),
            halt(2)
        end.
        """;

    private static string Quote(string path) => "\"" + path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static (int ExitCode, string Output) RunErl(string erl, string expression, TimeSpan timeout, IReadOnlyList<string> emulatorFlags)
    {
        var start = new ProcessStartInfo(erl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // File names are UTF-8 whatever the test machine's locale: the cases use non-Latin-1 application names.
        foreach (var argument in (string[])["+fnu", .. emulatorFlags, "-noshell", "-noinput", "-eval", expression])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new OtpException($"could not start {erl}");
        try
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                throw new OtpException($"erl did not finish within {timeout}");
            }

            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
