using System.Text.Json;
using System.Xml.Linq;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Deploy;

/// <summary>
/// The runtime settings every run of the daemon wants, in the three places they must be given
/// (docs/performance.md, "Runtime configuration"): the project (baked into the NativeAOT build), its
/// launch profile (dotnet run) and the unit's environment (the single-file build).
/// </summary>
[TestClass]
public sealed class RuntimeConfigurationTests
{
    [TestMethod]
    public void GCgen0size_ProjectLaunchProfileAndUnit_Agree()
    {
        string project = XDocument.Load(Path.Combine(RepositoryPaths.Root, "FleckChat", "FleckChat.csproj"))
            .Descendants("GCgen0size").Single().Value;
        using var launch = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "FleckChat", "Properties", "launchSettings.json")));
        string? profile = launch.RootElement.GetProperty("profiles").GetProperty("fleckchat")
            .GetProperty("environmentVariables").GetProperty("DOTNET_GCgen0size").GetString();
        var unit = InstallScript.Settings(Path.Combine(RepositoryPaths.Deploy, "fleckchat.service.in"), "Environment");

        Assert.MatchesRegex(new System.Text.RegularExpressions.Regex("^[0-9a-f]+$"), project, "hexadecimal digits without 0x, as the runtime reads them");
        Assert.AreEqual(project, profile);
        Assert.Contains("DOTNET_GCgen0size=" + project, unit);
    }
}
