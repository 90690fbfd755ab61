namespace Exrm.Otp;

/// <summary>Erlang's list subtraction (<c>--</c>), which systools uses on application lists.</summary>
internal static class ListOps
{
    /// <summary><c>A -- B</c>: for each element of B, the first equal element of A is removed.</summary>
    public static List<string> Subtract(IEnumerable<string> a, IEnumerable<string> b)
    {
        var result = a.ToList();
        foreach (var item in b)
        {
            RemoveFirst(result, item);
        }

        return result;
    }

    public static void RemoveFirst(List<string> list, string item)
    {
        var index = list.IndexOf(item);
        if (index >= 0)
        {
            list.RemoveAt(index);
        }
    }
}
