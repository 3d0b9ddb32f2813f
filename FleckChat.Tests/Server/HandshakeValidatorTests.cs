using System.Text;
using FleckChat.Server.Handshake;

namespace FleckChat.Tests.Server;

[TestClass]
public sealed class HandshakeValidatorTests
{
    [TestMethod]
    [DataRow("dGhlIHNhbXBsZSBub25jZQ==", true)]
    [DataRow("dGhlIHNhbXBsZSBub25jZQ", false)]
    [DataRow("dGhlIHNhbXBsZSBub25jZXh4", false)]
    [DataRow("not base64 at all!!!!!==", false)]
    [DataRow("", false)]
    public void IsValidKey_ChecksSixteenBytesOfBase64(string key, bool valid) =>
        Assert.AreEqual(valid, HandshakeValidator.IsValidKey(key));

    [TestMethod]
    public void SwitchingProtocols_Rfc6455Example_CarriesTheAcceptValue() =>
        StringAssert.Contains(Encoding.ASCII.GetString(HttpResponses.SwitchingProtocols("dGhlIHNhbXBsZSBub25jZQ==", "")),
            "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");

    [TestMethod]
    [DataRow(new string[0], "a, b", "")]
    [DataRow(new[] { "b" }, "", "")]
    [DataRow(new[] { "b", "a" }, "a, b", "a")]
    [DataRow(new[] { "x" }, "a,b", null)]
    public void Negotiate_FollowsFleck(string[] supported, string offered, string? expected) =>
        Assert.AreEqual(expected, SubProtocolNegotiator.Negotiate(supported, offered));
}
