namespace OrleansLog.Testing;

/// <summary>
/// Checks a consume-transform-produce run: every input record (key, value) must appear in the output exactly once, as
/// <c>value|out</c> under the same key, and each key's outputs must keep the order of its inputs. Returns every
/// violation found (lost, duplicated, invented, reordered), so a failure shows the whole story.
/// </summary>
public static class ExactlyOnceHistory
{
    public static List<string> Violations(IReadOnlyList<(string Key, string Value)> input, IReadOnlyList<(string Key, string Value)> output)
    {
        var violations = new List<string>();
        var expected = input.GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Value + "|out").ToList(), StringComparer.Ordinal);
        var actual = output.GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(r => r.Value).ToList(), StringComparer.Ordinal);
        foreach (var (key, wanted) in expected)
        {
            var got = actual.GetValueOrDefault(key) ?? [];
            foreach (var value in wanted.Except(got, StringComparer.Ordinal))
            {
                violations.Add($"lost: {key}={value}");
            }

            foreach (var duplicate in got.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                violations.Add($"duplicated {duplicate.Count()} times: {key}={duplicate.Key}");
            }

            foreach (var invented in got.Except(wanted, StringComparer.Ordinal))
            {
                violations.Add($"never consumed: {key}={invented}");
            }

            var order = got.Distinct(StringComparer.Ordinal).Where(v => wanted.Contains(v, StringComparer.Ordinal)).Select(v => wanted.IndexOf(v)).ToList();
            for (var i = 1; i < order.Count; i++)
            {
                if (order[i] < order[i - 1])
                {
                    violations.Add($"out of order for {key}: {wanted[order[i]]} after {wanted[order[i - 1]]}");
                }
            }
        }

        foreach (var key in actual.Keys.Where(k => !expected.ContainsKey(k)))
        {
            violations.Add($"a key never consumed: {key}");
        }

        return violations;
    }
}
