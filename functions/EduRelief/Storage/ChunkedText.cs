using System.Globalization;
using System.Text;
using Azure.Data.Tables;

namespace EduRelief.Storage;

/// <summary>
/// Text longer than one table string property holds (64 KiB, 32K UTF-16 characters), kept in properties of at most
/// <see cref="ChunkChars"/> characters each, named by <c>property(0)</c>, <c>property(1)</c>…; never split inside a
/// surrogate pair (a rare character in a name, such as 𠮷). Rows holding it are always replaced whole, so a shorter text
/// leaves no stale chunk behind.
/// </summary>
public static class ChunkedText
{
    public const int ChunkChars = 30_000;

    /// <summary>Properties <c>{prefix}0</c>, <c>{prefix}1</c>…</summary>
    public static Func<int, string> Numbered(string prefix) => chunk => prefix + chunk.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="text"/> (at least one property, empty for an empty text).</summary>
    public static void Write(TableEntity row, Func<int, string> property, string text)
    {
        var chunk = 0;
        var start = 0;
        do
        {
            var length = Math.Min(ChunkChars, text.Length - start);
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
            {
                length--;
            }

            row[property(chunk++)] = text.Substring(start, length);
            start += length;
        }
        while (start < text.Length);
    }

    /// <summary>The text the chunks hold, in order until the first missing one (empty when there is none).</summary>
    public static string Read(TableEntity row, Func<int, string> property)
    {
        var first = row.GetString(property(0)) ?? "";
        if (row.GetString(property(1)) is null)
        {
            return first;
        }

        var text = new StringBuilder(first);
        for (var chunk = 1; row.GetString(property(chunk)) is { } part; chunk++)
        {
            text.Append(part);
        }

        return text.ToString();
    }
}
