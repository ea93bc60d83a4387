using System.Text;

namespace Engine.Flows;

/// <summary>
/// FL-3 keyword matching: an answer matches a keyword when both are equal once trimmed, with full-width forms
/// read as their half-width ones (<c>１</c> = <c>1</c>, <c>ＡＢ</c> = <c>AB</c>, the ideographic space = a space)
/// and letters compared without case.
/// </summary>
public static class Keywords
{
    private const char FullWidthFirst = '\uFF01';
    private const char FullWidthLast = '\uFF5E';
    private const int FullWidthOffset = 0xFEE0;
    private const char IdeographicSpace = '\u3000';

    /// <summary>The form answers and keywords are compared in.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var half = c switch
            {
                >= FullWidthFirst and <= FullWidthLast => (char)(c - FullWidthOffset),
                IdeographicSpace => ' ',
                _ => c,
            };
            builder.Append(char.ToUpperInvariant(half));
        }
        return builder.ToString().Trim();
    }

    /// <summary>The first option with a keyword equal to <paramref name="answer"/>; null when none.</summary>
    public static BranchOption? Match(BranchModule branch, string answer)
    {
        var normalized = Normalize(answer);
        if (normalized.Length == 0) return null;
        foreach (var option in branch.Options)
            foreach (var keyword in option.Keywords)
                if (Normalize(keyword) == normalized) return option;
        return null;
    }
}
