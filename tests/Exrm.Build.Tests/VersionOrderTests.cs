using Exrm.Otp.Releases;

namespace Exrm.Build.Tests;

public sealed class VersionOrderTests
{
    [Theory]
    [InlineData("0.0.9", "0.0.10")]
    [InlineData("1.0.0-rc.2", "1.0.0-rc.10")]
    [InlineData("1.0", "1.0.1")]
    [InlineData("0.9.9", "1.0.0")]
    [InlineData("2", "10")]
    public void Orders_numbers_by_value(string older, string newer)
    {
        Assert.True(VersionOrder.Instance.Compare(older, newer) < 0);
        Assert.True(VersionOrder.Instance.Compare(newer, older) > 0);
        Assert.Equal(0, VersionOrder.Instance.Compare(newer, newer));
    }
}
