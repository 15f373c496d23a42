using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>
/// The 学籍 roster: school by school, grade by grade. Each row slot is a new pupil or, at <see cref="CountySpec.DuplicateRate"/>,
/// a pupil already exported (half the time the same school row again, half the time in this school too, as after a
/// transfer that the old school did not close). Returns the pupils from covered households.
/// </summary>
internal sealed class StudentRosterWriter(GenerationContext context, RowWriter writer, VerificationOracle oracle, bool xlsx, SemesterRecorder? semesters = null)
{
    private readonly bool gbkOnly = !xlsx && context.Spec.Gbk;

    private const int Name = 0, Gender = 1, Id = 2, SchoolCode = 3, SchoolName = 4, Stage = 5, Grade = 6, Class = 7, Boarding = 8, Note = 9;

    private static readonly string[] BadStages = ["初级中学", "高中", "特教", "幼儿园", "职高", ""];
    private static readonly string[] BadGradeWords = ["三", "初二", "二年级", "", "2.5", "一", "高一"];
    private static readonly string[] BadBoarding = ["Y", "N", "1", "0", "", "住校", "走读"];
    private static readonly string[] Notes =
    [
        "随迁子女", "留守儿童", "残疾", "孤儿", "转入", "单亲", "事实无人抚养儿童", "重点关注",
        "转入,原校\"红旗小学\"", "父母外出务工，由祖父母监护",
    ];

    private readonly Rng rng = context.Rng;
    private readonly CountySpec spec = context.Spec;
    private readonly Snapshot[] reservoir = new Snapshot[512];
    private int reservoirCount;
    private int reservoirNext;

    private sealed record Snapshot(Cell[] Cells, string TrueId, bool IdValidAsWritten);

    public List<CoveredStudent> Write()
    {
        var covered = new List<CoveredStudent>((int)(spec.Students * spec.PovertyShareOfStudents * 1.1) + 16);
        writer.WriteRow(CountyGenerator.StudentHeader.Select(h => (Cell)h).ToArray());
        var townshipWeights = Enumerable.Range(0, context.Layout.Townships.Count).Select(t => t == 0 ? 3.0 : 1.0).ToArray();
        foreach (var school in context.Layout.Schools)
        {
            for (var slot = 0; slot < school.Rows; slot++)
            {
                var grade = 1 + (int)((long)slot * school.Grades / school.Rows);
                var gradeStart = (int)Math.Ceiling((grade - 1) * (double)school.Rows / school.Grades);
                var classNumber = 1 + ((slot - gradeStart) / 45);
                if (reservoirCount > 0 && rng.Chance(spec.DuplicateRate))
                {
                    WriteDuplicate(school, grade, classNumber);
                    continue;
                }

                var household = school.Stage <= 2 && school.Township > 0 ? school.Township : PickWeighted(townshipWeights);
                WriteNew(school, grade, classNumber, household, covered);
            }
        }

        return covered;
    }

    private int PickWeighted(double[] weights)
    {
        var x = rng.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    private void WriteNew(School school, int grade, int classNumber, int householdTownship, List<CoveredStudent> covered)
    {
        var male = rng.Chance(0.52);
        var minority = rng.Chance(0.004);
        string name, familyKey;
        if (minority)
        {
            familyKey = ChineseNames.MinorityMaleName(rng);
            name = ChineseNames.Minority(rng, male, familyKey);
        }
        else
        {
            familyKey = ChineseNames.Surname(rng);
            name = ChineseNames.Han(rng, familyKey, male, old: false);
        }

        var late = rng.Chance(school.Stage == 5 ? 0.25 : 0.06) ? 1 : 0;
        var (id, birth) = context.NewPerson(context.Region(0.04), male, CountyLayout.AgeOffset[school.Stage] + grade + late);
        var boarding = school.Stage == 5 || rng.Chance(school.BoardingShare);
        var isCovered = rng.Chance(spec.PovertyShareOfStudents);
        if (isCovered)
        {
            covered.Add(new CoveredStudent(id, name, male, birth, householdTownship, familyKey, minority));
        }

        var written = isCovered && rng.Chance(spec.NameMismatchRate / 2) ? ChineseNames.Typo(rng, name)
            : rng.Chance(minority ? 0.15 : 0.01) ? ChineseNames.Benign(rng, name, gbkOnly)
            : name;
        if (rng.Chance(0.005))
        {
            written = context.Padded(written);
        }

        var idValid = !rng.Chance(spec.InvalidIdRate);
        var idCell = idValid ? context.PresentValid(id, xlsx) : context.Corrupt(id, xlsx, old: false);

        var stageText = CountyLayout.StageNames[school.Stage];
        var gradeText = grade.ToString(CultureInfo.InvariantCulture);
        var boardingText = boarding ? "是" : "否";
        if (rng.Chance(spec.InvalidRowRate))
        {
            switch (rng.Next(3))
            {
                case 0:
                    stageText = rng.Pick(BadStages);
                    break;
                case 1:
                    var maxGrade = school.Stage switch { 1 => 6, 5 => 5, _ => 3 };
                    gradeText = rng.Chance(0.5) ? (rng.Chance(0.2) ? "0" : (maxGrade + rng.Between(1, 2)).ToString(CultureInfo.InvariantCulture)) : rng.Pick(BadGradeWords);
                    break;
                default:
                    boardingText = rng.Pick(BadBoarding);
                    break;
            }
        }
        else
        {
            stageText = rng.Chance(0.005) ? context.Padded(stageText) : stageText;
            gradeText = rng.Chance(0.005) ? context.Padded(gradeText) : gradeText;
            boardingText = rng.Chance(0.005) ? context.Padded(boardingText) : boardingText;
        }

        var cells = new Cell[10];
        cells[Name] = written;
        cells[Gender] = male ? "男" : "女";
        cells[Id] = idCell;
        cells[SchoolCode] = new Cell(school.Code, Numeric: xlsx);
        cells[SchoolName] = school.Name;
        cells[Stage] = stageText;
        cells[Grade] = new Cell(gradeText, Numeric: xlsx && gradeText.Length > 0 && gradeText.All(char.IsAsciiDigit));
        cells[Class] = $"{classNumber}班";
        cells[Boarding] = boardingText;
        cells[Note] = rng.Chance(0.03) ? rng.Pick(Notes) : null;
        Emit(cells);
        semesters?.Pupils.Add(new EnrolledPupil(id, written, male, school, grade, boarding));

        reservoir[reservoirNext] = new Snapshot(cells, id, idValid);
        reservoirNext = (reservoirNext + 1) % reservoir.Length;
        reservoirCount = Math.Min(reservoirCount + 1, reservoir.Length);
    }

    private void WriteDuplicate(School school, int grade, int classNumber)
    {
        var original = reservoir[rng.Next(reservoirCount)];
        var cells = (Cell[])original.Cells.Clone();
        if (rng.Chance(0.5))
        {
            // Also on this school's list (a transfer the old school never closed).
            cells[SchoolCode] = new Cell(school.Code, Numeric: xlsx);
            cells[SchoolName] = school.Name;
            cells[Stage] = CountyLayout.StageNames[school.Stage];
            cells[Grade] = new Cell(grade.ToString(CultureInfo.InvariantCulture), Numeric: xlsx);
            cells[Class] = $"{classNumber}班";
            cells[Boarding] = school.Stage == 5 || rng.Chance(school.BoardingShare) ? "是" : "否";
            cells[Note] = rng.Chance(0.5) ? "转入" : null;
        }

        if (original.IdValidAsWritten && rng.Chance(0.3))
        {
            cells[Id] = context.PresentValid(original.TrueId, xlsx);
        }

        Emit(cells);
    }

    private void Emit(Cell[] cells)
    {
        writer.WriteRow(cells);
        oracle.AddStudentRow(cells[Name].Text, cells[Id].Text, cells[Stage].Text, cells[Grade].Text, cells[Boarding].Text);
        semesters?.Changes.AddSpringStudentRow(cells[Id].Text, cells[SchoolCode].Text);
    }
}
