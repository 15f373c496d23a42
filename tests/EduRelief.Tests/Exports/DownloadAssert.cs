using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace EduRelief.Tests.Exports;

/// <summary>What DOMAIN.md "Exports" asks of a download, checked on the bytes and headers as a client receives them.</summary>
public static class DownloadAssert
{
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>A download with personal data: no cache keeps it, no browser sniffs it into another type.</summary>
    public static void Private(HttpResponseMessage response)
    {
        var url = response.RequestMessage?.RequestUri?.AbsolutePath;
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"Cache-Control: no-store on {url}");
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff), $"X-Content-Type-Options on {url}");
        Assert.Equal("nosniff", string.Join(",", sniff!));
    }

    /// <summary>
    /// The workbook holds <paramref name="text"/> in at least one cell, every such cell a string cell (shared or inline,
    /// not t="str", a formula's result), and no worksheet has a formula anywhere.
    /// </summary>
    public static void InertInXlsx(byte[] workbook, string text)
    {
        using var zip = new ZipArchive(new MemoryStream(workbook));
        var shared = zip.GetEntry("xl/sharedStrings.xml") is { } entry
            ? Load(entry).Root!.Elements(Main + "si").Select(si => string.Concat(si.Descendants(Main + "t").Select(t => t.Value))).ToList()
            : [];
        var found = 0;
        foreach (var sheet in zip.Entries.Where(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal)))
        {
            var xml = Load(sheet);
            Assert.Empty(xml.Descendants(Main + "f"));
            foreach (var cell in xml.Descendants(Main + "c"))
            {
                var type = (string?)cell.Attribute("t");
                var value = type switch
                {
                    "s" => shared[int.Parse(cell.Element(Main + "v")!.Value, System.Globalization.CultureInfo.InvariantCulture)],
                    "inlineStr" => string.Concat(cell.Element(Main + "is")!.Descendants(Main + "t").Select(t => t.Value)),
                    _ => cell.Element(Main + "v")?.Value ?? "",
                };
                if (value == text)
                {
                    found++;
                    Assert.True(type is "s" or "inlineStr", $"{sheet.FullName}: the cell holding {text} has t=\"{type}\", not a string cell");
                }
            }
        }

        Assert.True(found > 0, $"{text} is in no cell of the workbook");
    }

    private static XDocument Load(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }
}
