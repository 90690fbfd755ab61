using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Safety;

namespace Exrm.Otp.Tests.Safety;

public sealed class StaleCallsTests
{
    [Fact]
    public void A_call_to_a_function_the_new_release_dropped_is_found_in_any_application_and_nothing_else_is()
    {
        var before = Modules(
            Module("shop_text", exports: ["greet/1", "old/0", "kept/0"]),
            Module("shop_gone", exports: ["run/0"]),
            Module("shop_web", calls: ["shop_text:old/0"]));
        var after = new Dictionary<string, (string, ModuleSummary)>
        {
            ["shop_text"] = ("shop", Module("shop_text", exports: ["greet/2", "kept/0"])),
            ["shop_web"] = ("web", Module("shop_web", calls: ["shop_text:old/0", "shop_text:kept/0", "shop_gone:run/0", "lists:map/2"])),
            ["shop_admin"] = ("admin", Module("shop_admin", calls: ["shop_text:greet/1", "shop_text:greet/2", "shop_text:never/0"])),
        };

        var stale = StaleCalls.Find(before, after);

        Assert.Equal(
            ["admin shop_admin shop_text:greet/1 True", "web shop_web shop_gone:run/0 False", "web shop_web shop_text:old/0 True"],
            stale.Select(s => $"{s.Application} {s.Caller} {s.Callee} {s.ModuleRemains}"));
    }

    private static Dictionary<string, ModuleSummary> Modules(params ModuleSummary[] modules) => modules.ToDictionary(m => m.Name);

    private static ModuleSummary Module(string name, string[]? exports = null, string[]? calls = null) =>
        new(name, name + "-md5", ModuleRole.Plain, [])
        {
            Exports = [.. (exports ?? []).Select(e => e.Split('/')).Select(p => new FunctionName(p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))],
            Calls = [.. (calls ?? []).Select(c => c.Split(':', '/')).Select(p => new RemoteFunction(p[0], p[1], int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)))],
        };
}
