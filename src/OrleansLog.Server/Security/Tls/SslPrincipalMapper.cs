using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansLog.Server.Security.Tls;

/// <summary>
/// Kafka's <c>ssl.principal.mapping.rules</c>: a client certificate's subject, in RFC 2253 form ("CN=alice,OU=eng,O=corp"),
/// goes through the rules in order; the first rule whose pattern matches the whole subject gives the name (its
/// replacement, then lower- or upper-cased with the L or U flag), DEFAULT gives the subject unchanged. No rule matching
/// is the subject unchanged too. Rules: <c>RULE:pattern/replacement/[LU]</c> or <c>DEFAULT</c>, separated by commas
/// (a comma inside a pattern is part of it; '/' in a pattern or replacement is written <c>\/</c>).
/// Immutable and thread-safe.
/// </summary>
public sealed class SslPrincipalMapper
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyList<Rule> _rules;

    private SslPrincipalMapper(IReadOnlyList<Rule> rules) => _rules = rules;

    /// <summary>Parses <paramref name="rules"/>; null and the reason when they are not in Kafka's syntax or a pattern is not a regular expression.</summary>
    public static SslPrincipalMapper? TryParse(string? rules, out string? error)
    {
        var parsed = new List<Rule>();
        var text = rules ?? "";
        var at = 0;
        while (true)
        {
            at = SkipSpace(text, at);
            if (at >= text.Length)
            {
                break;
            }

            if (string.CompareOrdinal(text, at, "DEFAULT", 0, 7) == 0)
            {
                parsed.Add(new Rule(null, "", null));
                at += 7;
            }
            else if (string.CompareOrdinal(text, at, "RULE:", 0, 5) == 0
                && ReadPart(text, at + 5, out var pattern) is { } afterPattern
                && ReadPart(text, afterPattern, out var replacement) is { } afterReplacement)
            {
                at = afterReplacement;
                char? flag = at < text.Length && text[at] is 'L' or 'U' ? text[at++] : null;
                Regex regex;
                try
                {
                    regex = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
                }
                catch (ArgumentException e)
                {
                    error = $"has a pattern that is not a regular expression, \"{pattern}\": {e.Message}";
                    return null;
                }

                parsed.Add(new Rule(regex, replacement, flag));
            }
            else
            {
                error = $"must be rules \"RULE:pattern/replacement/[LU]\" or DEFAULT, separated by commas; the text at position {at} is neither";
                return null;
            }

            at = SkipSpace(text, at);
            if (at < text.Length && text[at] is not (',' or '\n'))
            {
                error = $"must separate rules with commas (position {at})";
                return null;
            }

            at++;
        }

        error = null;
        return new SslPrincipalMapper(parsed.Count == 0 ? [new Rule(null, "", null)] : parsed);
    }

    /// <summary>The principal for a client certificate: "User:" and the mapped name.</summary>
    public string PrincipalFor(X509Certificate2 certificate) => "User:" + Map(Rfc2253(certificate.SubjectName));

    /// <summary>The name <paramref name="subject"/> (RFC 2253 form) maps to.</summary>
    public string Map(string subject)
    {
        foreach (var rule in _rules)
        {
            if (rule.Pattern is null)
            {
                return subject;
            }

            try
            {
                var match = rule.Pattern.Match(subject);
                if (!match.Success || match.Index != 0 || match.Length != subject.Length)
                {
                    continue;
                }

                var name = rule.Pattern.Replace(subject, rule.Replacement);
                return rule.Flag switch
                {
                    'L' => name.ToLowerInvariant(),
                    'U' => name.ToUpperInvariant(),
                    _ => name,
                };
            }
            catch (RegexMatchTimeoutException)
            {
                // A subject crafted to make a pattern backtrack maps by the next rule instead of holding the handshake.
            }
        }

        return subject;
    }

    /// <summary>A subject as RFC 2253 writes it (Java's X500Principal.getName(), what Kafka matches): most specific first, no spaces.</summary>
    public static string Rfc2253(X500DistinguishedName subject)
    {
        var parts = new List<string>();
        // Enumerated as Name shows them: most specific first, as RFC 2253 writes them.
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames(reversed: true))
        {
            var oid = rdn.GetSingleElementType();
            var key = oid.Value switch
            {
                "2.5.4.3" => "CN",
                "2.5.4.6" => "C",
                "2.5.4.7" => "L",
                "2.5.4.8" => "ST",
                "2.5.4.9" => "STREET",
                "2.5.4.10" => "O",
                "2.5.4.11" => "OU",
                "0.9.2342.19200300.100.1.25" => "DC",
                "0.9.2342.19200300.100.1.1" => "UID",
                _ => oid.Value,
            };
            parts.Add($"{key}={Escape(rdn.GetSingleElementValue() ?? "")}");
        }

        return string.Join(',', parts);
    }

    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>Reads up to an unescaped '/', giving the text before it and the position after it; null when there is none.</summary>
    private static int? ReadPart(string text, int at, out string part)
    {
        var builder = new StringBuilder();
        for (var i = at; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] == '/')
            {
                builder.Append('/');
                i++;
            }
            else if (text[i] == '/')
            {
                part = builder.ToString();
                return i + 1;
            }
            else
            {
                builder.Append(text[i]);
            }
        }

        part = "";
        return null;
    }

    private static int SkipSpace(string text, int at)
    {
        while (at < text.Length && text[at] is ' ' or '\t')
        {
            at++;
        }

        return at;
    }

    private sealed record Rule(Regex? Pattern, string Replacement, char? Flag);
}
