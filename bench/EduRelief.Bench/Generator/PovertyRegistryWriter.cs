using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>
/// The 防返贫 registry, township by township, village by village, household by household. Covered pupils are grouped
/// into households with their siblings (same family name, same township); each household gets guardians (parents, or
/// grandparents for left-behind children), sometimes grandparents, an infant, a 16–17-year-old out of school, or a
/// child of compulsory age who is in no school at all (控辍保学). Households without pupils (elderly, young couples)
/// take up what is left of the spec's extra persons. Only one township's households are in memory at a time.
/// </summary>
internal sealed class PovertyRegistryWriter(GenerationContext context, RowWriter writer, VerificationOracle oracle, bool xlsx)
{
    private readonly bool gbkOnly = !xlsx && context.Spec.Gbk;

    private const int Serial = 0, Township = 1, Village = 2, HouseholdCode = 3, Name = 4, Gender = 5, Relation = 6, Id = 7, Category = 8;

    private readonly Rng rng = context.Rng;
    private readonly CountySpec spec = context.Spec;
    private readonly CountyLayout layout = context.Layout;
    private readonly Written[] reservoir = new Written[256];
    private int reservoirCount;
    private int reservoirNext;
    private int serial;

    private sealed class Person(string name, string id, bool male, DateOnly birth, string relation, bool pupil)
    {
        public string Name { get; } = name;

        public string Id { get; } = id;

        public bool Male { get; } = male;

        public DateOnly Birth { get; } = birth;

        public string Relation { get; set; } = relation;

        public bool Pupil { get; } = pupil;
    }

    private sealed class Household(int township, int village)
    {
        public int Township { get; } = township;

        public int Village { get; } = village;

        public List<Person> Members { get; } = [];
    }

    private sealed record Written(string Name, Cell IdCell, string TrueId, bool IdValidAsWritten, bool Male, bool Adult, string Relation);

    public void Write(List<CoveredStudent> covered, int extras)
    {
        writer.WriteRow(CountyGenerator.PovertyHeader.Select(h => (Cell)h).ToArray());
        var townships = layout.Townships.Count;
        covered.Sort((a, b) =>
        {
            var c = a.Township.CompareTo(b.Township);
            c = c != 0 ? c : string.CompareOrdinal(a.FamilyKey, b.FamilyKey);
            c = c != 0 ? c : a.Birth.CompareTo(b.Birth);
            return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
        });

        var perTownship = new int[townships];
        foreach (var c in covered)
        {
            perTownship[c.Township]++;
        }

        var notEnrolled = (int)Math.Round(spec.NotEnrolledRate * (covered.Count + extras));
        var extrasBy = Distribute(extras, perTownship);
        var notEnrolledBy = Distribute(notEnrolled, perTownship);

        var start = 0;
        for (var t = 0; t < townships; t++)
        {
            var households = BuildTownship(t, covered.GetRange(start, perTownship[t]), extrasBy[t], Math.Min(notEnrolledBy[t], extrasBy[t]));
            start += perTownship[t];
            WriteTownship(t, households);
        }
    }

    /// <summary>Largest-remainder split of total in proportion to weights (evenly when all are zero).</summary>
    private static int[] Distribute(int total, int[] weights)
    {
        var sum = weights.Sum();
        var shares = weights.Select(w => sum == 0 ? total / (double)weights.Length : total * (double)w / sum).ToArray();
        var result = shares.Select(s => (int)Math.Floor(s)).ToArray();
        var left = total - result.Sum();
        foreach (var i in Enumerable.Range(0, weights.Length).OrderByDescending(i => shares[i] - Math.Floor(shares[i])).ThenBy(i => i).Take(left))
        {
            result[i]++;
        }

        return result;
    }

    private List<Household> BuildTownship(int t, List<CoveredStudent> pupils, int extras, int notEnrolled)
    {
        // Sibling groups: same family name, at least ~9 months apart, up to three pupils.
        var groups = new List<List<CoveredStudent>>();
        for (var i = 0; i < pupils.Count;)
        {
            var group = new List<CoveredStudent> { pupils[i++] };
            while (i < pupils.Count && group.Count < 3 && pupils[i].FamilyKey == group[0].FamilyKey
                   && pupils[i].Birth.DayNumber - group[^1].Birth.DayNumber >= 280 && rng.Chance(0.45))
            {
                group.Add(pupils[i++]);
            }

            groups.Add(group);
        }

        var households = new List<Household>(groups.Count + 16);
        var extrasLeft = extras;
        var notEnrolledLeft = notEnrolled;
        for (var g = 0; g < groups.Count; g++)
        {
            var householdsLeft = groups.Count - g;
            var budget = Math.Clamp(rng.StochasticRound(extrasLeft / (double)householdsLeft), 1, 6 - groups[g].Count);
            var withChild = notEnrolledLeft > 0 && rng.Chance(notEnrolledLeft / (double)householdsLeft);
            var household = PupilHousehold(t, groups[g], budget, withChild, out var used, out var childUsed);
            extrasLeft -= used;
            notEnrolledLeft -= childUsed ? 1 : 0;
            households.Add(household);
        }

        while (extrasLeft > 0 || notEnrolledLeft > 0)
        {
            var household = OtherHousehold(t, Math.Max(1, Math.Min(extrasLeft, rng.Between(1, 4))), notEnrolledLeft > 0, out var used, out var childUsed);
            extrasLeft -= used;
            notEnrolledLeft -= childUsed ? 1 : 0;
            households.Add(household);
        }

        // The registry lists village by village; the order within a village is the order households were registered.
        return [.. households.Select((h, i) => (h, i)).OrderBy(x => x.h.Village).ThenBy(x => x.i).Select(x => x.h)];
    }

    private Household PupilHousehold(int t, List<CoveredStudent> pupils, int budget, bool withNotEnrolledChild, out int used, out bool childUsed)
    {
        var household = new Household(t, rng.Next(layout.Villages[t].Count));
        var minority = pupils[0].Minority;
        var family = pupils[0].FamilyKey;
        var region = pupils[0].Id[..6] == layout.CountyCode ? layout.CountyCode : context.Region(0.05);

        // Non-pupil children first: their ages bound the parents' ages.
        var extraChildren = new List<(Person Child, bool NotEnrolled)>();
        var parents = rng.NextDouble() switch { < 0.72 => 2, < 0.87 => 1, _ => 0 };
        var grandparents = parents == 0 ? rng.Between(1, 2) : rng.Next(3);
        var slotsForChildren = budget - Math.Max(1, parents);
        var births = pupils.Select(p => p.Birth).ToList();
        if (withNotEnrolledChild && slotsForChildren > 0 && Spaced(() => NotEnrolledChild(region, family, minority), births) is { } notEnrolledChild)
        {
            extraChildren.Add((notEnrolledChild, true));
            slotsForChildren--;
        }

        if (slotsForChildren > 0 && rng.Chance(0.3) && Spaced(() => Infant(region, family, minority), births) is { } infant)
        {
            extraChildren.Add((infant, false));
            slotsForChildren--;
        }

        if (slotsForChildren > 0 && rng.Chance(0.08) && Spaced(() => OutOfSchoolTeen(region, family, minority), births) is { } teen)
        {
            extraChildren.Add((teen, false));
        }

        var eldest = pupils.Select(p => p.Birth).Concat(extraChildren.Select(c => c.Child.Birth)).Min();
        var fatherBirth = eldest.AddDays(-(rng.Between(22, 38) * 365) - rng.Next(365));
        var grandfatherBirth = fatherBirth.AddDays(-(rng.Between(20, 30) * 365) - rng.Next(365));
        var fatherOwn = minority ? family : null;
        var grandfatherOwn = minority ? ChineseNames.MinorityMaleName(rng) : null;

        var adults = new List<Person>();
        var headIsFather = parents == 2 || (parents == 1 && rng.Chance(0.6));
        var motherSurname = ChineseNames.Surname(rng);
        var grandparentsSurname = parents == 1 && !headIsFather ? motherSurname : family; // a mother heading the household lives with her parents
        if (parents >= 1)
        {
            if (headIsFather)
            {
                adults.Add(Adult(minority ? $"{fatherOwn}{ChineseNames.Dot}{grandfatherOwn}" : ChineseNames.Han(rng, family, true, rng.Chance(0.5)), region, true, fatherBirth, "户主"));
            }

            if (parents == 2 || !headIsFather)
            {
                var motherBirth = fatherBirth.AddDays(rng.Between(-3 * 365, 5 * 365));
                motherBirth = motherBirth > eldest.AddDays(-19 * 365) ? eldest.AddDays(-19 * 365) : motherBirth;
                var motherName = minority ? ChineseNames.Minority(rng, false) : ChineseNames.Han(rng, motherSurname, false, rng.Chance(0.5));
                adults.Add(Adult(motherName, context.Region(0.12, 0.08), false, motherBirth, headIsFather ? "配偶" : "户主"));
            }
        }

        for (var i = 0; i < grandparents; i++)
        {
            var male = i == 0 ? rng.Chance(0.6) : !adults[^1].Male;
            var birth = male ? grandfatherBirth : grandfatherBirth.AddDays(rng.Between(-2 * 365, 5 * 365));
            var name = minority
                ? (male ? $"{grandfatherOwn}{ChineseNames.Dot}{ChineseNames.MinorityMaleName(rng)}" : ChineseNames.Minority(rng, false))
                : ChineseNames.Han(rng, male ? grandparentsSurname : ChineseNames.Surname(rng), male, old: true);
            var relation = parents == 0 ? (i == 0 ? "户主" : "配偶") : (male ? "之父" : "之母");
            adults.Add(Adult(name, context.Region(0.03), male, birth, relation));
        }

        // Guardians first, then other children, then the rest of the adults, as far as the budget goes.
        var guardians = Math.Max(1, parents);
        var members = adults.Take(guardians).ToList();
        var extrasTaken = members.Count;
        childUsed = false;
        foreach (var (child, notEnrolled) in extraChildren)
        {
            if (extrasTaken < budget)
            {
                members.Add(child);
                extrasTaken++;
                childUsed |= notEnrolled;
            }
        }

        foreach (var adult in adults.Skip(guardians))
        {
            if (extrasTaken < budget)
            {
                members.Add(adult);
                extrasTaken++;
            }
        }

        used = extrasTaken;
        var childRelationSon = parents == 0 ? "之孙子" : "之子";
        var childRelationDaughter = parents == 0 ? "之孙女" : "之女";
        foreach (var pupil in pupils)
        {
            members.Add(new Person(pupil.Name, pupil.Id, pupil.Male, pupil.Birth, pupil.Male ? childRelationSon : childRelationDaughter, pupil: true));
        }

        foreach (var m in members.Where(m => m.Relation == "child"))
        {
            m.Relation = m.Male ? childRelationSon : childRelationDaughter;
        }

        // Head, spouse, children eldest first, then the head's parents.
        household.Members.AddRange(members.OrderBy(RelationOrder).ThenBy(m => m.Birth));
        return household;
    }

    /// <summary>A child at least nine months from every sibling (no accidental near-twins), or null after a few tries.</summary>
    private static Person? Spaced(Func<Person> make, List<DateOnly> siblings)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var child = make();
            if (siblings.All(b => Math.Abs(b.DayNumber - child.Birth.DayNumber) >= 280))
            {
                siblings.Add(child.Birth);
                return child;
            }
        }

        return null;
    }

    private static int RelationOrder(Person m) => m.Relation switch
    {
        "户主" => 0,
        "配偶" => 1,
        "之父" or "之母" => 3,
        _ => 2,
    };

    private Household OtherHousehold(int t, int size, bool withNotEnrolledChild, out int used, out bool childUsed)
    {
        var household = new Household(t, rng.Next(layout.Villages[t].Count));
        var minority = rng.Chance(0.004);
        var family = minority ? ChineseNames.MinorityMaleName(rng) : ChineseNames.Surname(rng);
        var region = context.Region(0.03);
        childUsed = false;
        if (withNotEnrolledChild || rng.Chance(0.35))
        {
            // A young family: parent(s) and children not in this county's schools.
            var children = new List<Person>();
            if (withNotEnrolledChild)
            {
                children.Add(NotEnrolledChild(region, family, minority));
                childUsed = true;
            }

            while (children.Count < size - 1 && rng.Chance(0.5))
            {
                children.Add(rng.Chance(0.7) ? Infant(region, family, minority) : OutOfSchoolTeen(region, family, minority));
            }

            var eldest = children.Count > 0 ? children.Min(c => c.Birth) : context.BirthForAge(rng.Between(0, 5));
            var birth = eldest.AddDays(-(rng.Between(20, 40) * 365) - rng.Next(365));
            var male = rng.Chance(0.5);
            var headName = minority
                ? (male ? $"{family}{ChineseNames.Dot}{ChineseNames.MinorityMaleName(rng)}" : ChineseNames.Minority(rng, false))
                : ChineseNames.Han(rng, male ? family : ChineseNames.Surname(rng), male, rng.Chance(0.5));
            household.Members.Add(Adult(headName, region, male, birth, "户主"));
            foreach (var child in children.OrderBy(c => c.Birth))
            {
                child.Relation = child.Male ? "之子" : "之女";
                household.Members.Add(child);
            }
        }
        else
        {
            // Elderly: one or two people over 60.
            var age = rng.Between(60, 92);
            var headBirth = context.BirthForAge(age);
            var name = minority ? $"{family}{ChineseNames.Dot}{ChineseNames.MinorityMaleName(rng)}" : ChineseNames.Han(rng, family, true, old: true);
            var male = rng.Chance(0.55);
            if (!male)
            {
                name = minority ? ChineseNames.Minority(rng, false) : ChineseNames.Han(rng, ChineseNames.Surname(rng), false, old: true);
            }

            household.Members.Add(Adult(name, region, male, headBirth, "户主"));
            if (size >= 2)
            {
                var spouseName = minority ? ChineseNames.Minority(rng, !male) : ChineseNames.Han(rng, male ? ChineseNames.Surname(rng) : family, !male, old: true);
                household.Members.Add(Adult(spouseName, context.Region(0.05), !male, headBirth.AddDays(rng.Between(-5 * 365, 3 * 365)), "配偶"));
            }
        }

        used = household.Members.Count;
        return household;
    }

    private Person Adult(string name, string region, bool male, DateOnly around, string relation)
    {
        var (id, birth) = context.NewPersonBorn(region, male, around);
        return new Person(name, id, male, birth, relation, pupil: false);
    }

    private Person Child(string region, string family, bool minority, int age, DateOnly? exactly)
    {
        var male = rng.Chance(0.5);
        var (id, birth) = context.NewPerson(region, male, age, exactly);
        var name = minority ? ChineseNames.Minority(rng, male, family) : ChineseNames.Han(rng, family, male, old: false);
        return new Person(name, id, male, birth, "child", pupil: false);
    }

    /// <summary>Compulsory school age (6–15 on 31 August) and in no school of the county: a 控辍保学 case.
    /// One in five is on an edge: 6 that very day, or 15 for one more day.</summary>
    private Person NotEnrolledChild(string region, string family, bool minority)
    {
        var year = context.SchoolYear;
        DateOnly? edge = rng.Chance(0.2) ? (rng.Chance(0.5) ? new DateOnly(year - 6, 8, 31) : new DateOnly(year - 16, 9, 1)) : null;
        return Child(region, family, minority, rng.Between(6, 15), edge);
    }

    /// <summary>Under 6: not of compulsory age; some are 5 by one day (born 1 September).</summary>
    private Person Infant(string region, string family, bool minority)
    {
        DateOnly? edge = rng.Chance(0.15) ? new DateOnly(context.SchoolYear - 6, 9, 1) : null;
        return Child(region, family, minority, rng.Between(0, 5), edge);
    }

    /// <summary>16 or 17 and out of school (working): past compulsory age; some turned 16 on 31 August itself.</summary>
    private Person OutOfSchoolTeen(string region, string family, bool minority)
    {
        DateOnly? edge = rng.Chance(0.3) ? new DateOnly(context.SchoolYear - 16, 8, 31) : null;
        return Child(region, family, minority, rng.Between(16, 17), edge);
    }

    private void WriteTownship(int t, List<Household> households)
    {
        var townshipName = layout.Townships[t];
        var perVillage = new Dictionary<int, int>();
        var repeats = new List<Written>();
        foreach (var household in households)
        {
            var number = perVillage[household.Village] = perVillage.GetValueOrDefault(household.Village) + 1;
            var code = string.Create(CultureInfo.InvariantCulture, $"{layout.CountyCode}{100 + t:D3}{household.Village + 1:D3}{number:D4}");
            var category = rng.NextDouble() switch { < 0.70 => "脱贫户", < 0.85 => "监测户", _ => "低保户" };
            var village = layout.Villages[t][household.Village];
            foreach (var person in household.Members)
            {
                var name = person.Pupil && rng.Chance(spec.NameMismatchRate / 2) ? ChineseNames.Typo(rng, person.Name)
                    : rng.Chance(person.Name.Contains(ChineseNames.Dot, StringComparison.Ordinal) ? 0.15 : person.Pupil ? 0.04 : 0.01) ? ChineseNames.Benign(rng, person.Name, gbkOnly)
                    : person.Name;
                if (rng.Chance(0.004))
                {
                    name = context.Padded(name);
                }

                var idValid = !rng.Chance(spec.InvalidIdRate);
                var idCell = idValid ? context.PresentValid(person.Id, xlsx) : context.Corrupt(person.Id, xlsx, old: person.Birth.Year < 1960);
                var adult = VerificationOracle.AgeOn(person.Birth, new DateOnly(context.SchoolYear, 8, 31)) >= 20;
                var written = new Written(name, idCell, person.Id, idValid, person.Male, adult, person.Relation);
                Emit(townshipName, village, code, written, category);

                if (rng.Chance(spec.DuplicateRate))
                {
                    // The same person registered twice: exported again right away, or a member of an earlier household
                    // listed in this one too (a married daughter still in her parents' household, a child of divorced
                    // parents in both), after this household's own members.
                    if (reservoirCount == 0 || rng.Chance(0.3))
                    {
                        Emit(townshipName, village, code, written with { IdCell = Reformatted(written) }, category);
                    }
                    else
                    {
                        var again = reservoir[rng.Next(reservoirCount)];
                        var relation = again.Adult ? (again.Male ? "之女婿" : "之儿媳") : (again.Male ? "之子" : "之女");
                        repeats.Add(again with { IdCell = Reformatted(again), Relation = relation });
                    }
                }

                reservoir[reservoirNext] = written;
                reservoirNext = (reservoirNext + 1) % reservoir.Length;
                reservoirCount = Math.Min(reservoirCount + 1, reservoir.Length);
            }

            foreach (var again in repeats)
            {
                Emit(townshipName, village, code, again, category);
            }

            repeats.Clear();
        }
    }

    private Cell Reformatted(Written person) =>
        person.IdValidAsWritten && rng.Chance(0.3) ? context.PresentValid(person.TrueId, xlsx) : person.IdCell;

    private void Emit(string township, string village, string household, Written person, string category)
    {
        var cells = new Cell[9];
        cells[Serial] = new Cell((++serial).ToString(CultureInfo.InvariantCulture), Numeric: xlsx);
        cells[Township] = township;
        cells[Village] = village;
        cells[HouseholdCode] = household;
        cells[Name] = person.Name;
        cells[Gender] = person.Male ? "男" : "女";
        cells[Relation] = person.Relation;
        cells[Id] = person.IdCell;
        cells[Category] = category;
        writer.WriteRow(cells);
        oracle.AddPovertyRow(cells[Name].Text, cells[Id].Text);
    }
}
