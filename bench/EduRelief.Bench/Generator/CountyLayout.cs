using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>A school of the county (or a university its students attend), with its share of the roster's rows.</summary>
public sealed record School(string Code, string Name, int Township, int Stage, int Rows, int Grades, double BoardingShare);

/// <summary>Townships, their villages, the schools and their sizes: the static part of a county.</summary>
public sealed class CountyLayout
{
    /// <summary>Stage names in DOMAIN order: 学前, 小学, 初中, 普通高中, 中职, 高校.</summary>
    public static readonly string[] StageNames = ["学前", "小学", "初中", "普通高中", "中职", "高校"];

    /// <summary>Age on 31 August of the school year's start of a pupil in grade 1 of each stage, minus one.</summary>
    public static readonly int[] AgeOffset = [2, 5, 11, 14, 14, 17];

    private static readonly double[] StageShare = [0.16, 0.45, 0.21, 0.10, 0.075, 0.005];
    private static readonly int[] AverageSchoolRows = [120, 380, 750, 2500, 1500, 3000];
    private static readonly double[] BoardingBase = [0.01, 0.12, 0.65, 0.85, 0.70, 1.0];

    private static readonly Dictionary<string, string> CountyNames = new()
    {
        ["410726"] = "延津县", ["410721"] = "新乡县", ["410724"] = "获嘉县", ["410725"] = "原阳县", ["410727"] = "封丘县",
        ["410781"] = "卫辉市", ["410526"] = "滑县", ["410782"] = "辉县市",
    };

    private static readonly string[] YanjinTownships =
        ["城关镇", "东屯镇", "丰庄镇", "王楼镇", "石婆固镇", "小潭乡", "胙城乡", "榆林乡", "马庄乡", "司寨乡", "位邱乡", "僧固乡"];

    private static readonly (string Code, string Name, int Grades)[] Universities =
    [
        ("4141010476", "河南师范大学", 4), ("4141010472", "新乡医学院", 5), ("4141010459", "郑州大学", 4),
        ("4141010467", "河南科技学院", 4), ("4141010466", "河南农业大学", 4), ("4141010475", "河南大学", 4),
    ];

    /// <summary>Regions of wives married in from far provinces (Sichuan, Guizhou, Yunnan, Guangxi).</summary>
    public static readonly string[] FarRegions = ["511321", "511622", "522425", "520324", "532128", "450821"];

    private static readonly string VillageSuffixes = "庄屯寨营集楼店堤岗口铺园湾桥坡";
    private static readonly string VillagePrefixes = "东西南北前后大小新";

    public string CountyCode { get; }

    public string CountyName { get; }

    public IReadOnlyList<string> Townships { get; }

    public IReadOnlyList<IReadOnlyList<string>> Villages { get; }

    public IReadOnlyList<School> Schools { get; }

    /// <summary>Region codes of neighbouring counties (children born there, spouses from there).</summary>
    public IReadOnlyList<string> Neighbours { get; }

    private CountyLayout(string countyCode, string countyName, IReadOnlyList<string> townships, IReadOnlyList<IReadOnlyList<string>> villages, IReadOnlyList<School> schools, IReadOnlyList<string> neighbours)
    {
        CountyCode = countyCode;
        CountyName = countyName;
        Townships = townships;
        Villages = villages;
        Schools = schools;
        Neighbours = neighbours;
    }

    public static CountyLayout Create(CountySpec spec, Rng rng)
    {
        var county = spec.CountyCode;
        var countyName = CountyNames.GetValueOrDefault(county, "示范县");
        var townships = YanjinTownships;
        var villages = townships.Select(_ => (IReadOnlyList<string>)MakeVillages(rng, rng.Between(18, 34))).ToList();
        var neighbours = county == "410726"
            ? ["410725", "410727", "410721", "410781", "410526"]
            : new[] { -2, -1, 1, 2 }.Select(d => (int.Parse(county, CultureInfo.InvariantCulture) + d).ToString("D6", CultureInfo.InvariantCulture)).ToArray();

        // Rows per stage; the remainder goes to primary.
        var stageRows = StageShare.Select(s => (int)Math.Floor(spec.Students * s)).ToArray();
        stageRows[1] += spec.Students - stageRows.Sum();

        var planned = new List<(int Township, int Stage, string Name, int Grades, string? Code, int Rows, double Boarding)>();
        for (var stage = 0; stage < StageNames.Length; stage++)
        {
            var rows = stageRows[stage];
            if (rows == 0)
            {
                continue;
            }

            var cap = stage switch
            {
                0 => townships.Length * 8,
                1 => villages.Sum(v => v.Count) + townships.Length,
                2 => (townships.Length * 3) + 2,
                3 => 6,
                4 => 2,
                _ => Universities.Length,
            };
            var count = Math.Clamp((int)Math.Round(rows / (double)AverageSchoolRows[stage]), 1, Math.Min(cap, rows));
            var sizes = Split(rng, rows, count);
            var perTownship = new int[townships.Length];
            for (var i = 0; i < count; i++)
            {
                if (sizes[i] == 0)
                {
                    continue;
                }

                var (township, name) = NameSchool(stage, i, countyName, townships, villages, perTownship);
                var (code, grades) = stage == 5 ? (Universities[i].Code, Universities[i].Grades) : ((string?)null, stage == 1 ? 6 : 3);
                var boarding = Math.Clamp(BoardingBase[stage] + ((rng.NextDouble() - 0.5) * (stage is 1 or 2 ? 0.3 : 0.1)) + (stage == 1 && township > 0 ? 0.08 : 0), 0, 1);
                planned.Add((township, stage, name, grades, code, sizes[i], boarding));
            }
        }

        // Export order: county schools (城关镇) first, then township by township, stage by stage; universities last.
        var ordered = planned.Select((p, i) => (p, i)).OrderBy(x => x.p.Stage == 5 ? 1 : 0).ThenBy(x => x.p.Township).ThenBy(x => x.p.Stage).ThenBy(x => x.i).Select(x => x.p).ToList();
        var schools = new List<School>(ordered.Count);
        var serial = 0;
        foreach (var p in ordered)
        {
            var code = p.Code ?? $"{county}{++serial:D4}";
            schools.Add(new School(code, p.Name, p.Township, p.Stage, p.Rows, p.Grades, p.Boarding));
        }

        return new CountyLayout(county, countyName, townships, villages, schools, neighbours);
    }

    private static (int Township, string Name) NameSchool(int stage, int i, string county, string[] townships, List<IReadOnlyList<string>> villages, int[] perTownship)
    {
        switch (stage)
        {
            case 0:
            {
                if (i == 0)
                {
                    return (0, $"{county}第一实验幼儿园");
                }

                var t = (i - 1) % townships.Length;
                var c = perTownship[t]++;
                return (t, c == 0 ? $"{county}{townships[t]}中心幼儿园"
                    : c - 1 < villages[t].Count ? $"{county}{townships[t]}{VillageStem(villages[t][c - 1])}幼儿园"
                    : $"{county}{townships[t]}第{Numeral(c + 1)}幼儿园");
            }

            case 1:
            {
                var t = i % townships.Length;
                var c = perTownship[t]++;
                if (t == 0)
                {
                    return (0, $"{county}{townships[0]}第{Numeral(c + 1)}小学");
                }

                return (t, c == 0 ? $"{county}{townships[t]}中心小学"
                    : c - 1 < villages[t].Count ? $"{county}{townships[t]}{VillageStem(villages[t][c - 1])}小学"
                    : $"{county}{townships[t]}第{Numeral(c + 1)}小学");
            }

            case 2:
            {
                if (i < 2)
                {
                    return (0, $"{county}第{Numeral(i + 1)}初级中学");
                }

                var t = 1 + ((i - 2) % (townships.Length - 1));
                var c = perTownship[t]++;
                return (t, c == 0 ? $"{county}{townships[t]}初级中学" : $"{county}{townships[t]}第{Numeral(c + 1)}初级中学");
            }

            case 3:
                return (0, $"{county}第{Numeral(i + 1)}高级中学");
            case 4:
                return (0, i == 0 ? $"{county}职业中等专业学校" : $"{county}职业技术教育中心");
            default:
                return (0, Universities[i].Name);
        }
    }

    private static string VillageStem(string village) => village.EndsWith('村') ? village[..^1] : village;

    private static List<string> MakeVillages(Rng rng, int count)
    {
        var names = new List<string>(count);
        var seen = new HashSet<string>();
        while (names.Count < count)
        {
            var surname = ChineseNames.Surname(rng);
            if (surname.Length > 1)
            {
                continue;
            }

            var prefix = rng.Chance(0.3) ? VillagePrefixes[rng.Next(VillagePrefixes.Length)].ToString() : "";
            var name = $"{prefix}{surname}{VillageSuffixes[rng.Next(VillageSuffixes.Length)]}村";
            if (seen.Add(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>Splits rows over count schools with sizes varying ±40 %, summing exactly to rows.</summary>
    private static int[] Split(Rng rng, int rows, int count)
    {
        var weights = new double[count];
        for (var i = 0; i < count; i++)
        {
            weights[i] = 0.6 + (rng.NextDouble() * 0.8);
        }

        var total = weights.Sum();
        var sizes = new int[count];
        double cumulative = 0;
        var assigned = 0;
        for (var i = 0; i < count; i++)
        {
            cumulative += weights[i];
            var upTo = i == count - 1 ? rows : (int)Math.Round(rows * cumulative / total);
            sizes[i] = upTo - assigned;
            assigned = upTo;
        }

        return sizes;
    }

    /// <summary>Chinese numerals 1..99: 一, 十, 十一, 二十三.</summary>
    public static string Numeral(int n)
    {
        const string Digits = "零一二三四五六七八九";
        if (n < 10)
        {
            return Digits[n].ToString();
        }

        var tens = n / 10;
        var ones = n % 10;
        return $"{(tens == 1 ? "" : Digits[tens].ToString())}十{(ones == 0 ? "" : Digits[ones].ToString())}";
    }

    /// <summary>Every text the exports repeat often (for an XLSX shared-string table).</summary>
    public IEnumerable<string> CommonTexts()
    {
        foreach (var s in StageNames)
        {
            yield return s;
        }

        foreach (var s in Schools)
        {
            yield return s.Name;
        }

        foreach (var t in Townships)
        {
            yield return t;
        }

        foreach (var v in Villages.SelectMany(v => v))
        {
            yield return v;
        }

        foreach (var s in new[] { "是", "否", "男", "女", "脱贫户", "监测户", "低保户", "户主", "配偶", "之子", "之女", "之父", "之母", "之孙子", "之孙女", "之儿媳", "之女婿" })
        {
            yield return s;
        }
    }
}
