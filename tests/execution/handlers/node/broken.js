exports.handler = async ( => 1;
