using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>
/// The autumn roster that follows a spring one, and its 外地就学 list. Each spring pupil, in order: drops out (at
/// <see cref="SemesterPairSpec.DropoutRate"/>), goes to study outside the county (listed, at
/// <see cref="SemesterPairSpec.OutsideRate"/>), or moves up a grade, at the same school or, at
/// <see cref="SemesterPairSpec.TransferRate"/>, another of the same stage (whose old school sometimes keeps listing
/// them too). A pupil in the last grade of a stage goes on to the next stage's grade 1 in the same township when it has
/// such a school, or leaves school: after 初中 and 普通高中 at the stop rates, always after 中职 and 高校. New 学前 pupils
/// fill each kindergarten's first grade. Rows are written school by school, grade by grade, every number presented
/// afresh (and now and then corrupted).
/// </summary>
internal sealed class AutumnRosterWriter(GenerationContext context, SemesterPairSpec spec, RowWriter students, RowWriter outside, SemesterChangesOracle changes)
{
    private const int Preschool = 0, Primary = 1, Junior = 2, Senior = 3, Vocational = 4, College = 5, Leaves = -1;

    private static readonly string[] OutsidePlaces = ["河南省郑州市", "北京市", "上海市", "广东省深圳市", "浙江省杭州市", "江苏省苏州市"];
    private static readonly string[] OutsideSchoolKinds = ["幼儿园", "小学", "中学", "高级中学", "职业技术学校", "学院"];

    private readonly Rng rng = context.Rng;
    private readonly bool xlsx = spec.County.StudentFormat == RosterOutput.Xlsx;
    private readonly ILookup<int, School> byStage = context.Layout.Schools.ToLookup(s => s.Stage);

    /// <summary>A row of the autumn roster: the pupil, the school listing them and their grade there.</summary>
    private sealed record Placement(EnrolledPupil Pupil, School School, int Grade);

    public void Write(IReadOnlyList<EnrolledPupil> pupils)
    {
        students.WriteRow(CountyGenerator.StudentHeader.Select(h => (Cell)h).ToArray());
        outside.WriteRow(SemesterPairGenerator.OutsideHeader.Select(h => (Cell)h).ToArray());
        var rows = new List<Placement>(pupils.Count + 16);
        foreach (var pupil in pupils)
        {
            Move(pupil, rows);
        }

        AddKindergartenIntake(rows);
        var order = context.Layout.Schools.Select((s, i) => (s.Code, i)).ToDictionary(x => x.Code, x => x.i);
        foreach (var row in rows.OrderBy(r => order[r.School.Code]).ThenBy(r => r.Grade))
        {
            WriteStudent(row);
        }
    }

    private void Move(EnrolledPupil pupil, List<Placement> rows)
    {
        if (rng.Chance(spec.DropoutRate))
        {
            return;
        }

        if (rng.Chance(spec.OutsideRate))
        {
            WriteOutside(pupil);
            return;
        }

        if (pupil.Grade < pupil.School.Grades)
        {
            var school = rng.Chance(spec.TransferRate) ? OtherSchoolOfStage(pupil.School) : pupil.School;
            rows.Add(new Placement(pupil, school, pupil.Grade + 1));
            if (school != pupil.School && rng.Chance(spec.UnclosedTransferRate))
            {
                rows.Add(new Placement(pupil, pupil.School, pupil.Grade)); // the old school never closed the transfer
            }

            return;
        }

        var nextStage = NextStage(pupil.School.Stage);
        if (nextStage != Leaves && PickSchool(nextStage, pupil.School.Township) is { } next)
        {
            rows.Add(new Placement(pupil, next, 1));
        }
    }

    /// <summary>Where a pupil in the last grade of <paramref name="stage"/> goes in the county, or <see cref="Leaves"/>.</summary>
    private int NextStage(int stage) => stage switch
    {
        Preschool => Primary,
        Primary => Junior,
        Junior => rng.Chance(spec.StopAfterJuniorRate) ? Leaves : rng.Chance(0.7) ? Senior : Vocational,
        Senior => rng.Chance(spec.StopAfterSeniorRate) ? Leaves : College,
        _ => Leaves,
    };

    /// <summary>A school of the stage in the township when there is one, else anywhere in the county; null when the county has none.</summary>
    private School? PickSchool(int stage, int township)
    {
        var all = byStage[stage].ToList();
        var near = all.Where(s => s.Township == township).ToList();
        return near.Count > 0 ? rng.Pick(near) : all.Count > 0 ? rng.Pick(all) : null;
    }

    private School OtherSchoolOfStage(School from)
    {
        var others = byStage[from.Stage].Where(s => s != from && s.Grades == from.Grades).ToList();
        return others.Count > 0 ? rng.Pick(others) : from;
    }

    private void AddKindergartenIntake(List<Placement> rows)
    {
        foreach (var school in byStage[Preschool])
        {
            for (var n = school.Rows / school.Grades; n > 0; n--)
            {
                var male = rng.Chance(0.52);
                var name = ChineseNames.Han(rng, ChineseNames.Surname(rng), male, old: false);
                var (id, _) = context.NewPerson(context.Region(0.04), male, CountyLayout.AgeOffset[Preschool] + 1);
                rows.Add(new Placement(new EnrolledPupil(id, name, male, school, 1, rng.Chance(school.BoardingShare)), school, 1));
            }
        }
    }

    private void WriteStudent(Placement row)
    {
        var (pupil, school, grade) = row;
        var moved = school != pupil.School;
        var idCell = rng.Chance(spec.AutumnInvalidIdRate) ? context.Corrupt(pupil.Id, xlsx, old: false) : context.PresentValid(pupil.Id, xlsx);
        var boarding = school.Stage == College || (moved ? rng.Chance(school.BoardingShare) : pupil.Boarding);
        var gradeText = grade.ToString(CultureInfo.InvariantCulture);
        Cell[] cells =
        [
            pupil.Name, pupil.Male ? "男" : "女", idCell, new Cell(school.Code, Numeric: xlsx), school.Name,
            CountyLayout.StageNames[school.Stage], new Cell(gradeText, Numeric: xlsx), $"{1 + rng.Next(4)}班",
            boarding ? "是" : "否", moved && school.Stage == pupil.School.Stage ? "转入" : null,
        ];
        students.WriteRow(cells);
        changes.AddAutumnStudentRow(idCell.Text, school.Code, pupil.Name, CountyLayout.StageNames[school.Stage], gradeText, boarding ? "是" : "否");
    }

    /// <summary>A row of the 外地就学 list, with the stage and grade the pupil would have had; none after 高校.</summary>
    private void WriteOutside(EnrolledPupil pupil)
    {
        var last = pupil.Grade == pupil.School.Grades;
        var stage = !last ? pupil.School.Stage : pupil.School.Stage switch
        {
            Preschool => Primary,
            Primary => Junior,
            Junior => Senior,
            Senior or Vocational => College,
            _ => Leaves,
        };
        if (stage == Leaves)
        {
            return;
        }

        var place = rng.Pick(OutsidePlaces);
        var idCell = context.PresentValid(pupil.Id, xlsx: false);
        outside.WriteRow(
        [
            pupil.Name, idCell, place, $"{place}第{CountyLayout.Numeral(rng.Between(1, 30))}{OutsideSchoolKinds[stage]}",
            CountyLayout.StageNames[stage], (last ? 1 : pupil.Grade + 1).ToString(CultureInfo.InvariantCulture),
        ]);
        changes.AddOutsideRow(idCell.Text);
    }
}
